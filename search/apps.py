from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        import search.tasks  # noqa: F401 - registers the index job with archive.jobs
        from search import checks  # noqa: F401 - registers the system checks
        from search.sync import connect_signals

        connect_signals()
