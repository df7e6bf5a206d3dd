from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "dateline.site"
    label = "dateline_site"
    verbose_name = "Public site"
