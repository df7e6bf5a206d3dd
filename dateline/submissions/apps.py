from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "dateline.submissions"
    label = "submissions"
    verbose_name = "Reader reports"
