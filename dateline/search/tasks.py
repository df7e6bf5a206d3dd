"""The search app's work for the background worker."""

from django.tasks import task


@task()
def optimize_search_index() -> dict:
    """Compact every configured backend's index (an import's many segments merged)."""
    from django.conf import settings

    from dateline.base import queued

    from .backends import indexed_backends
    from .index import OPTIMIZE_ASKED_KEY

    queued.done(OPTIMIZE_ASKED_KEY, settings.DATELINE_SEARCH_CACHE)
    return {backend.vendor: backend.optimize() for backend in indexed_backends()}
