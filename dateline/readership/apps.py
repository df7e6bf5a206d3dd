from django.apps import AppConfig


class ReadershipConfig(AppConfig):
    name = "dateline.readership"
    label = "readership"
    verbose_name = "Readership"

    def ready(self) -> None:
        from . import counting, stories

        counting.register_keys("view", stories.existing)
