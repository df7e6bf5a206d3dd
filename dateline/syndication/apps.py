from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "dateline.syndication"
    label = "syndication"
    verbose_name = "Syndication"

    def ready(self) -> None:
        from dateline.newsroom.signals import articles_bulk_changed, database_replaced

        from . import (
            deletions,  # noqa: F401  (connects the deleted story's receiver)
            formatters,  # noqa: F401  (declares its registry for the plug-in check)
            resending,  # noqa: F401  (connects the photo library's receivers)
            sitemap_figures,
            withholding,  # noqa: F401  (connects the embargoed story's receiver)
        )
        from .websub import distribution  # noqa: F401  (connects the WebSub receiver)

        # An import changes too many stories for requests to add them one by one.
        articles_bulk_changed.connect(sitemap_figures.ask_for_refresh,
                                      dispatch_uid="syndication.sitemap_figures")
        database_replaced.connect(sitemap_figures.forget,
                                  dispatch_uid="syndication.sitemap_figures.restore")
