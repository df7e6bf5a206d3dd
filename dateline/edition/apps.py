from django.apps import AppConfig


class EditionConfig(AppConfig):
    name = "dateline.edition"
    label = "edition"
    verbose_name = "Daily edition and newsletter"

    def ready(self) -> None:
        from dateline.newsroom.desk.shortcuts import Shortcut, add

        from . import signals  # noqa: F401  (connects the receivers)

        add(Shortcut("Daily edition", "admin:edition_edition_changelist",
                     "the morning's edition by e-mail and PDF: arrange it, preview it, send it",
                     "edition.view_edition", self.label))
