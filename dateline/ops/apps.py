from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dateline.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from dateline.newsroom.desk.shortcuts import add_notice

        from . import backlog, checks  # noqa: F401

        add_notice(backlog.desk_notice)
