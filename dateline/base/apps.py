from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "dateline.base"
    label = "base"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the rate-limit store check)
