from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "dateline.newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .desk.budget import waiting_count
        from .desk.shortcuts import Shortcut, add

        add(Shortcut("Write a story", "admin:newsroom_article_add",
                     "a new draft: headline, text, section, byline, photos", "newsroom.add_article",
                     self.label))
        add(Shortcut("Stories", "admin:newsroom_article_changelist",
                     "your drafts, what waits for you, and every story, last changed first",
                     "newsroom.view_article", self.label, waiting_count, "waiting for you"))
