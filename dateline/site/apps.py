from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "dateline.site"
    label = "dateline_site"
    verbose_name = "Public site"

    def ready(self) -> None:
        # Their receivers renew pages: those showing a photo, and a brief, when it changes.
        from . import brief_cache, photo_cache  # noqa: F401
