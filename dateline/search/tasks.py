"""The search app's work for the background worker."""

from django.tasks import task

# Set while a compaction is queued (base.queued): imports ask for one, the worker clears it.
OPTIMIZE_ASKED_KEY = "search-optimize:asked"


@task()
def optimize_search_index() -> dict:
    """Compact every configured backend's index (an import's many segments merged)."""
    from django.conf import settings

    from dateline.base import queued

    from .backends import indexed_backends

    queued.done(OPTIMIZE_ASKED_KEY, settings.DATELINE_SEARCH_CACHE)
    return {backend.vendor: backend.optimize() for backend in indexed_backends()}
