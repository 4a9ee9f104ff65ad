from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from archive.facets import register_index_counter
        from search.facets import index_counts
        from search.sync import connect_signals

        connect_signals()
        register_index_counter(index_counts)
