from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import checks  # noqa: F401
