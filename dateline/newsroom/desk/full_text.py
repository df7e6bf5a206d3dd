"""The desk's search box finds stories by their text through whichever app provides that.

The newsroom knows no search engine: dateline.search hands its function in at ready(). Without
one, the box finds what Django's admin finds in the fields it searches.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

MatchingIds = Callable[[str], Iterable[int]]

_provider: MatchingIds | None = None


def provide_full_text(matching_ids: MatchingIds) -> None:
    """Register the function that gives the ids of articles (any state) matching a query."""
    global _provider
    if _provider is not None and _provider is not matching_ids:
        raise ImproperlyConfigured(
            f"The desk's full-text search is already provided by {_provider.__module__}."
            f"{_provider.__qualname__}; only one app may provide it."
        )
    _provider = matching_ids


def full_text_ids(query: str) -> Iterable[int] | None:
    """The ids matching `query`, or None when no app provides full-text search."""
    return None if _provider is None else _provider(query)
