"""Search backends, configured in DATELINE_SEARCH_BACKENDS like Django's caches."""

from .base import (
    BaseSearchBackend,
    Hit,
    InvalidSearchBackendError,
    SearchQuery,
    SearchResults,
    get_backend,
    indexed_backends,
    registry,
)

__all__ = [
    "BaseSearchBackend", "Hit", "InvalidSearchBackendError", "SearchQuery", "SearchResults",
    "get_backend", "indexed_backends", "registry",
]
