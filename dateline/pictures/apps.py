from django.apps import AppConfig


class PicturesConfig(AppConfig):
    name = "dateline.pictures"
    label = "pictures"
    verbose_name = "Pictures"

    def ready(self) -> None:
        from dateline.newsroom.desk.article_admin import EXTRA_INLINES
        from dateline.newsroom.desk.shortcuts import Shortcut, add
        from dateline.newsroom.importer.loader import story_imported
        from dateline.newsroom.signals import publication_checks

        from . import importing, publishing
        from .story_admin import StoryPhotoInline

        publication_checks.connect(publishing.require_alt_text,
                                   dispatch_uid="pictures.require_alt_text")
        publication_checks.connect(publishing.require_credit,
                                   dispatch_uid="pictures.require_credit")
        story_imported.connect(importing.add_imported_photos,
                               dispatch_uid="pictures.imported_photos")
        if StoryPhotoInline not in EXTRA_INLINES:
            EXTRA_INLINES.append(StoryPhotoInline)
        self._queue_renditions()
        add(Shortcut("Photo library", "admin:pictures_photo_changelist",
                     "the agency's photos, their captions, credits and rights",
                     "pictures.view_photo", self.label))

    def _queue_renditions(self) -> None:
        """Renditions are made by the worker when a photo is stored or its focal point moves."""
        from django.db.models.signals import post_delete, post_save

        from . import receivers
        from .models import Photo, Rendition
        from .signals import photo_stored

        photo_stored.connect(receivers.on_photo_stored, dispatch_uid="pictures.renditions")
        post_save.connect(receivers.on_photo_saved, sender=Photo,
                          dispatch_uid="pictures.renditions_refocus")
        # A photo deleted (a rights take-down) takes its files with it.
        post_delete.connect(receivers.on_photo_deleted, sender=Photo,
                            dispatch_uid="pictures.original_deleted")
        post_delete.connect(receivers.on_rendition_deleted, sender=Rendition,
                            dispatch_uid="pictures.rendition_deleted")
