from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "dateline.syndication"
    label = "syndication"
    verbose_name = "Syndication"

    def ready(self) -> None:
        from .websub import distribution  # noqa: F401  (connects the WebSub receiver)
