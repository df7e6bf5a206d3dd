from django.apps import AppConfig


class DbConfig(AppConfig):
    name = "dateline.db"
    label = "dateline_db"
    verbose_name = "Database tools"
