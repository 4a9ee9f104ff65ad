from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from search import checks  # noqa: F401 - registers the system checks
        from search.sync import connect_signals

        connect_signals()
