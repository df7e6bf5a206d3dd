"""Read a search's parameters from a query string; anything malformed is ignored, not an error."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import QueryDict

from dateline.newsroom.models import Article, Author, Section, Tag
from dateline.newsroom.models.section import PATH_SEPARATOR

from . import cache
from .backends import BaseSearchBackend, Hit, SearchQuery, SearchResults
from .query import MAX_QUERY_CHARS, parse

PER_PAGE = 20
# Matches are counted up to the backend's max_count, so no page lies past this one.
COUNTED = BaseSearchBackend.max_count
MAX_PAGE = COUNTED // PER_PAGE
FILTERS = ("section", "tag", "author", "from", "to")


def kept(params: QueryDict) -> dict[str, str]:
    """The parameters a search's links and form carry on, none longer than a query may be;
    a filter only if it can be applied, so that none is shown as applied that was not."""
    return {name: params[name][:MAX_QUERY_CHARS].replace("\x00", "")
            for name in ("q", "sort", *FILTERS)
            if params.get(name) and name not in _unreadable(params)}


def _unreadable(params: QueryDict) -> list[str]:
    """The filters given that mean nothing: an id that is no number, a date that is none."""
    return [name for name in FILTERS if params.get(name)
            and (_date if name in ("from", "to") else _int)(params[name]) is None]


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def query_from_params(params: QueryDict, per_page: int = PER_PAGE) -> SearchQuery:
    """q, section, tag, author (ids), from, to (YYYY-MM-DD), sort=newest, page."""
    return SearchQuery(
        text=params.get("q", "").replace("\x00", ""),
        section_id=_int(params.get("section")),
        tag_id=_int(params.get("tag")),
        author_id=_int(params.get("author")),
        date_from=_date(params.get("from")),
        date_to=_date(params.get("to")),
        newest_first=params.get("sort") == "newest",
        page=min(_int(params.get("page")) or 1, MAX_PAGE),
        per_page=per_page,
        facets=True,
    )


def label(item: Section | Tag | Author) -> str:
    """How a facet names a section (its whole path), tag or author."""
    return item.display_path if isinstance(item, Section) else item.name


@dataclass
class Found:
    """A page of results with its articles and facets loaded for showing."""

    query: SearchQuery
    results: SearchResults
    articles: list[tuple[Article, Hit]]
    facets: dict[str, list[tuple[object, int]]]

    @property
    def pages(self) -> int:
        """The pages the count fills; past its cap ("more") a lower bound, which never falls
        behind a page that has results and one more where this one is full."""
        counted = self._counted_pages
        return max(counted, self.query.page + 1) if self.has_next else counted

    @property
    def _counted_pages(self) -> int:
        return max(1, -(-self.results.total // self.query.per_page))

    @property
    def cap_note(self) -> str:
        """What a filtered search past the count's cap did not look at, in words, or "": the
        filters apply to the newest matches of the words (the backend's cap), so an older
        story of a common word may pass them and not be among those. The page said it; the
        API answered "said" between two dates of 1987 with `total` 0, `more` true and no
        word why, though hundreds matched."""
        query = self.query
        filtered = any(value is not None for value in (
            query.section_id, query.tag_id, query.author_id, query.date_from, query.date_to))
        if not (filtered and self.results.more):
            return ""
        return (f"The filters were applied to the newest {COUNTED:,} stories that match "
                "these words; older ones are not among them. To reach them, add words that "
                "narrow the search.")

    @property
    def has_next(self) -> bool:
        """Whether a page follows: within the count, or past its cap while pages are full (a
        filtered search counted 421 and stopped its links at page 22 of 49 full ones)."""
        page = self.query.page
        if page < self._counted_pages:
            return True
        return (self.results.more and page < MAX_PAGE
                and len(self.results.hits) >= self.query.per_page)


def over_limits(params: QueryDict) -> list[str]:
    """What in these parameters goes past the search's limits, one sentence each."""
    notes = parse(params.get("q", "")).notes
    for name in _unreadable(params):
        shown = params[name][:40].replace("\x00", "")
        notes.append(f"The filter {name}={shown} was left out: "
                     + ("dates are written YYYY-MM-DD." if name in ("from", "to") else
                        f"a {name} is chosen by its number, from the links beside the results."))
    start, end = _date(params.get("from")), _date(params.get("to"))
    if start and end and start > end:
        # Nothing can match, and "0 results, filtered … remove a filter" did not say why.
        notes.append(f"The dates are the wrong way round: from {start:%Y-%m-%d} is after to "
                     f"{end:%Y-%m-%d}, so no story can match. Swap them.")
    page = _int(params.get("page"))
    if page is not None and page > MAX_PAGE:
        notes.append(f"Pages stop at {MAX_PAGE}: matches are counted up to "
                     f"{MAX_PAGE * PER_PAGE}; narrow the search to see others.")
    return notes


def run(query: SearchQuery) -> Found:
    """Search (or reuse an identical search's results), then load the hits' articles and the
    facets' sections, tags and authors; raise cache.SearchTooCostly when it was stopped."""
    results = cache.search(query)
    by_id = Article.objects.select_related("section").in_bulk(
        [hit.article_id for hit in results.hits]
    )
    articles = [(by_id[h.article_id], h) for h in results.hits if h.article_id in by_id]
    facets = {"section": section_facets(results.facets.get("section", []))}
    for name, model in (("tag", Tag), ("author", Author)):
        counts = results.facets.get(name, [])
        objects = model.objects.in_bulk([pk for pk, _ in counts])
        facets[name] = [(objects[pk], n) for pk, n in counts if pk in objects]
    return Found(query=query, results=results, articles=articles, facets=facets)


def section_facets(counts: list[tuple[int, int]], shown: int = 20) -> list[tuple[Section, int]]:
    """Each section with the matches filed in it or below it, as its filter finds them (the
    backends count the section a story is filed in: "Business (100)" led to 785)."""
    filed = dict(counts)
    paths = Section.objects.filter(pk__in=filed).values_list("path", flat=True)
    above = {path.rsplit(PATH_SEPARATOR, n)[0]
             for path in paths for n in range(1, path.count(PATH_SEPARATOR) + 1)}
    sections = Section.objects.filter(Q(pk__in=filed) | Q(path__in=above))
    total = dict.fromkeys(sections, 0)
    by_path = {section.path: section for section in total}
    for section in sections:
        if section.pk in filed:
            parts = section.path.split(PATH_SEPARATOR)
            for depth in range(1, len(parts) + 1):
                total[by_path[PATH_SEPARATOR.join(parts[:depth])]] += filed[section.pk]
    ranked = sorted(total.items(), key=lambda item: (-item[1], item[0].display_path))
    return ranked[:shown]
