from django.apps import AppConfig


class ReadershipConfig(AppConfig):
    name = "dateline.readership"
    label = "readership"
    verbose_name = "Readership"

    def ready(self) -> None:
        from dateline.newsroom.desk.shortcuts import Shortcut, add

        from . import counting, stories

        counting.register_keys("view", stories.existing)
        add(Shortcut("Readership", "readership-desk:readership",
                     "what readers read: views by story, section and hour",
                     "readership.view_tally", self.label))
