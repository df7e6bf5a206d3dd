from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "dateline.base"
    label = "base"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the rate-limit store check)
            converters,
        )

        # Before any URLconf is read: every app's patterns name their keys <id:pk>.
        converters.register()
