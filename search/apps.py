from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from archive.facets import register_index_counter, register_index_lister
        from archive.saved import register_matcher
        from search import checks  # noqa: F401 - registers the system checks
        from search.facets import index_counts, index_listing
        from search.saved import new_matches
        from search.sync import connect_signals

        connect_signals()
        register_index_counter(index_counts)
        register_index_lister(index_listing)
        register_matcher(new_matches)
