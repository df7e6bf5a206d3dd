"""The section tree, held by each process and reloaded when any process changes a section.

Listings show each story's section; joining the section table in those queries leads
SQLite to sort every story of the site, so the sections come from here instead. So do a
section page's section, its breadcrumbs and subsections, and the ids of a subtree, which
were a query each on every page (profiled on the 100k bench database). The tree's
version is the page cache's `nav` key, which every section change renews.
"""

from collections.abc import Iterable

from dateline.newsroom.models import Article, Section
from dateline.pagecache import keys, store

_SECTION_FIELD = Article._meta.get_field("section")
_tree: dict = {"version": None, "generation": None, "by_id": {}, "by_path": {}, "roots": [],
               "children": {}, "subtree": {}}


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
        _tree.update(version=version, **_shape(list(Section.objects.all())))
    return _tree


def _shape(sections: list[Section]) -> dict:
    """Every lookup the pages make, from the sections in menu order (position, name)."""
    children: dict[int, list[Section]] = {s.pk: [] for s in sections}
    subtree: dict[int, list[int]] = {s.pk: [] for s in sections}
    by_path = {s.path: s for s in sections}
    for section in sections:
        if section.parent_id in children:
            children[section.parent_id].append(section)
        for path in section.ancestor_paths():  # itself, its parent, ... up to its root
            if path in by_path:
                subtree[by_path[path].pk].append(section.pk)
    return {"by_id": {s.pk: s for s in sections}, "by_path": by_path,
            "roots": [s for s in sections if s.parent_id is None],
            "children": children, "subtree": subtree}


def by_path(path: str) -> Section | None:
    """The section at `path`, or None; a section this process has not seen yet is looked for
    once more in the database."""
    found = tree()["by_path"].get(path)
    if found is None:
        found = tree(reload=True)["by_path"].get(path)
    return found


def _known(section: Section) -> dict:
    shape = tree()
    if shape["by_path"].get(section.path) is None:
        shape = tree(reload=True)
    return shape


def breadcrumbs(section: Section) -> list[Section]:
    """The section and its ancestors, root first (`Section.breadcrumbs` without its query)."""
    known = _known(section)["by_path"]
    return [known[p] for p in section.ancestor_paths() if p in known]


def subsections(section: Section) -> list[Section]:
    return _known(section)["children"].get(section.pk, [])


def subtree_ids(section: Section) -> list[int]:
    """Ids of the section and every section below it (`Section.objects.subtree_ids`)."""
    return _known(section)["subtree"].get(section.pk) or [section.pk]


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
