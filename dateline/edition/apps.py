from django.apps import AppConfig


class EditionConfig(AppConfig):
    name = "dateline.edition"
    label = "edition"
    verbose_name = "Daily edition and newsletter"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
