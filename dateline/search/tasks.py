"""The search app's work for the background worker."""

from django.tasks import task


@task()
def optimize_search_index() -> dict:
    """Compact every configured backend's index (an import's many segments merged)."""
    from .backends import indexed_backends
    from .index import forget_optimize_asked

    forget_optimize_asked()
    return {backend.vendor: backend.optimize() for backend in indexed_backends()}
