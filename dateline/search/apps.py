from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dateline.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        # Connect the signal receivers of the index and of the results' cache.
        from . import cache, index  # noqa: F401
