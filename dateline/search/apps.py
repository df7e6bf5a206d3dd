from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dateline.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from . import index  # noqa: F401  (connects the index's signal receivers)
