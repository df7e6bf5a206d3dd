from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "dateline.syndication"
    label = "syndication"
    verbose_name = "Syndication"

    def ready(self) -> None:
        from . import formatters  # noqa: F401  (declares its registry for the plug-in check)
        from .websub import distribution  # noqa: F401  (connects the WebSub receiver)
