"""Surrogate keys: the names of what a cached page shows, so that a change finds its pages.

Every page shows the section menu (`nav`). Listing pages also name the section, tag, author
or home page they are, and every article they list; an article page names its article and
every article it links to. A change to an article therefore reaches its own page, the
listings it appears in, and the listings it now belongs to; nothing else.
"""

from collections.abc import Iterable

NAV = "nav"
HOME = "home"
# The live strip under the masthead (dateline.live): its "Latest" list changes with every
# publication, its breaking-news banner rarely. Pages name only the banner: the list in a
# cached page is brought up to date by the page's script from the event stream.
TICKER = "ticker"
BREAKING = "breaking"
# The daily editions' pages (dateline.edition): the archive as a whole, and each edition.
EDITIONS = "editions"
# The sitemap index and the sitemaps dated from the archive's figures (dateline.syndication),
# renewed when the worker works those out again.
SITEMAPS = "sitemaps"
# Named by every stored page and part (store.save): renewed when the database is replaced as a
# whole (a restore), which no other key reaches, it makes everything stored stale at once.
EVERYTHING = "everything"


def edition(pk: int) -> str:
    return f"ed{pk}"


def article(pk: int) -> str:
    return f"a{pk}"


def section(pk: int) -> str:
    return f"s{pk}"


def tag(pk: int) -> str:
    return f"t{pk}"


def author(pk: int) -> str:
    return f"au{pk}"


def source(pk: int) -> str:
    return f"src{pk}"


def articles(items: Iterable) -> list[str]:
    return [article(item.pk) for item in items if item is not None]


def add(response, *keys: str | Iterable[str]) -> None:
    """Declare what the response shows; only responses that declare keys are cached."""
    found = getattr(response, "surrogate_keys", None)
    if found is None:
        found = response.surrogate_keys = {NAV, BREAKING}
    for key in keys:
        if isinstance(key, str):
            found.add(key)
        else:
            found.update(key)
