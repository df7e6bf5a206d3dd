"""What the desk's search box asks: every state, drafts included, from the default backend."""

from collections.abc import Iterable

from .backends import get_backend


def matching_ids(query: str) -> Iterable[int]:
    """The ids of the articles whose text matches what an editor typed."""
    return get_backend().matching_ids(query)
