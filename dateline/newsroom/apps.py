from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "dateline.newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from . import signals  # noqa: F401
