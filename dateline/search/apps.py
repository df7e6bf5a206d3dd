from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dateline.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from dateline.newsroom.desk.full_text import provide_full_text

        # Connect the signal receivers of the index and of the results' cache.
        from . import cache, index  # noqa: F401
        from .desk import matching_ids

        # The desk's search box (dateline.newsroom) finds stories through this app.
        provide_full_text(matching_ids)
