from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "dateline.site"
    label = "dateline_site"
    verbose_name = "Public site"

    def ready(self) -> None:
        from . import photo_cache  # noqa: F401  (its receivers renew pages showing a photo)
