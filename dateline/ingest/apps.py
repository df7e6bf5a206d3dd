from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "dateline.ingest"
    label = "ingest"
    verbose_name = "Ingest and the foreign-media monitor"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import press_review  # noqa: F401 - its publication check and page receivers
        from .parsers import registry  # noqa: F401 - so the plug-in check sees the parsers
        from .terms import seed_watched_terms

        post_migrate.connect(seed_watched_terms, sender=self,
                             dispatch_uid="dateline.ingest.seed_watched_terms")
        from .receivers import on_item_stored
        from .signals import item_stored

        item_stored.connect(on_item_stored, dispatch_uid="dateline.ingest.clustering")
