from django.apps import AppConfig


class PicturesConfig(AppConfig):
    name = "dateline.pictures"
    label = "pictures"
    verbose_name = "Pictures"

    def ready(self) -> None:
        from dateline.newsroom.desk.article_admin import EXTRA_INLINES
        from dateline.newsroom.importer.loader import story_imported
        from dateline.newsroom.signals import publication_checks

        from . import importing, publishing
        from .story_admin import StoryPhotoInline

        publication_checks.connect(publishing.require_alt_text,
                                   dispatch_uid="pictures.require_alt_text")
        story_imported.connect(importing.add_imported_photos,
                               dispatch_uid="pictures.imported_photos")
        if StoryPhotoInline not in EXTRA_INLINES:
            EXTRA_INLINES.append(StoryPhotoInline)
