from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        import archive.jobs  # noqa: F401 - registers the archive's background jobs
