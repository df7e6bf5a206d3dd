from django.apps import AppConfig


def cluster_stored_item(sender, **kwargs) -> None:
    # Clustering is imported by the first item stored, not at every process's start: its
    # MinHash (datasketch) loads SciPy, 0.75 s of a start, and the web workers store none.
    from .receivers import on_item_stored

    on_item_stored(sender, **kwargs)


class IngestConfig(AppConfig):
    name = "dateline.ingest"
    label = "ingest"
    verbose_name = "Ingest and the foreign-media monitor"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from dateline.newsroom.desk.editor_page import add_story_notice
        from dateline.newsroom.desk.shortcuts import Shortcut, add

        from . import press_review  # noqa: F401 - its publication check and page receivers
        from .drafts import section_notice
        from .parsers import registry  # noqa: F401 - so the plug-in check sees the parsers
        from .services import services  # noqa: F401 - and the services
        from .terms import seed_watched_terms

        post_migrate.connect(seed_watched_terms, sender=self,
                             dispatch_uid="dateline.ingest.seed_watched_terms")
        from .signals import item_stored

        item_stored.connect(cluster_stored_item, dispatch_uid="dateline.ingest.clustering")
        add(Shortcut("Foreign-media monitor", "ingest-desk:monitor",
                     "today's stories from other outlets that name the watched terms",
                     "ingest.view_cluster", self.label))
        add_story_notice(section_notice)
