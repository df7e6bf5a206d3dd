"""The section tree, held by each process and reloaded when any process changes a section.

Listings show each story's section; joining the section table in those queries leads
SQLite to sort every story of the site, so the sections come from here instead. The tree's
version is the page cache's `nav` key, which every section change renews.
"""

from collections.abc import Iterable

from dateline.newsroom.models import Article, Section
from dateline.pagecache import keys, store

_SECTION_FIELD = Article._meta.get_field("section")
_tree: dict = {"version": None, "generation": None, "by_id": {}, "roots": []}


def tree(reload: bool = False) -> dict:
    try:
        generation = store.generation()
        if not reload and generation == _tree["generation"]:
            return _tree  # nothing at all was invalidated since the last look
        version = store.versions_of([keys.NAV])[keys.NAV]
    except Exception:  # the page cache is down: read the tree every time until it is back
        generation, version, reload = None, None, True
    _tree["generation"] = generation
    if reload or version != _tree["version"]:
        sections = list(Section.objects.all())
        _tree.update(
            version=version,
            by_id={s.pk: s for s in sections},
            roots=[s for s in sections if s.parent_id is None],
        )
    return _tree


def main_sections() -> list[Section]:
    return tree()["roots"]


def attach_sections(*listings: Iterable[Article]) -> None:
    """Give listed stories their section without a query."""
    articles = [a for listing in listings for a in listing if a is not None]
    by_id = tree()["by_id"]
    if any(a.section_id not in by_id for a in articles):
        by_id = tree(reload=True)["by_id"]  # a section this process has not seen yet
    for article in articles:
        if article.section_id in by_id:
            _SECTION_FIELD.set_cached_value(article, by_id[article.section_id])
