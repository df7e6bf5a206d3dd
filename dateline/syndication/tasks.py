"""The syndication app's work for the background worker."""

from django.tasks import task


@task()
def refresh_sitemap_figures() -> dict:
    """Work out again what the sitemaps say about the whole archive (sitemap_figures)."""
    from . import sitemap_figures

    figures = sitemap_figures.refresh()
    return {"days": len(figures.days), "sections": len(figures.sections),
            "tags": len(figures.tags)}
