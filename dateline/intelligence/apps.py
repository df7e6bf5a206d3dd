from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "dateline.intelligence"
    label = "intelligence"
    verbose_name = "Newsroom intelligence"

    def ready(self) -> None:
        from dateline.newsroom.desk.article_admin import EXTRA_INLINES
        from dateline.newsroom.desk.editor_page import add_story_notice
        from dateline.newsroom.signals import (
            article_saved,
            article_status_changed,
            articles_bulk_changed,
        )

        from . import (
            plugins,  # noqa: F401 - so the plug-in check sees the registries
            receivers,
        )
        from .desk import IntelligencePanel, very_like_notice

        article_saved.connect(receivers.on_article_saved, dispatch_uid="intelligence.saved")
        article_status_changed.connect(receivers.on_status_changed,
                                       dispatch_uid="intelligence.status")
        articles_bulk_changed.connect(receivers.on_bulk_changed,
                                      dispatch_uid="intelligence.bulk")
        if IntelligencePanel not in EXTRA_INLINES:
            EXTRA_INLINES.append(IntelligencePanel)
        add_story_notice(very_like_notice)
