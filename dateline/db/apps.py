from django.apps import AppConfig


class DbConfig(AppConfig):
    name = "dateline.db"
    label = "dateline_db"
    verbose_name = "Database tools"

    def ready(self) -> None:
        from . import private  # noqa: F401  (connects its receiver)
