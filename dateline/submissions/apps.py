from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "dateline.submissions"
    label = "submissions"
    verbose_name = "Reader reports"

    def ready(self) -> None:
        from dateline.newsroom.desk.editor_page import add_story_notice
        from dateline.newsroom.desk.shortcuts import Shortcut, add

        from .contact import contact_notice
        from .desk import undecided

        add(Shortcut("Reader reports", "admin:submissions_submission_changelist",
                     "what readers sent through \"Be a reporter\", to accept or decline",
                     "submissions.view_submission", self.label, undecided, "to decide"))
        add_story_notice(contact_notice)
