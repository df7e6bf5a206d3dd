from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "dateline.live"
    label = "live"
    verbose_name = "Live: ticker, breaking news, live coverage, push"

    def ready(self) -> None:
        from . import coverage, events  # noqa: F401  (connects the receivers)
