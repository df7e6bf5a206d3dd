from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "dateline.intelligence"
    label = "intelligence"
    verbose_name = "Newsroom intelligence"

    def ready(self) -> None:
        from . import plugins  # noqa: F401 - so the plug-in check sees the registries
