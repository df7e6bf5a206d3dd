"""Newer/older paging for archives of any size: no COUNT(*) over the whole archive."""

from dataclasses import dataclass

from django.http import Http404


@dataclass
class NewsPage:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(page: str | None, max_page: int = 10_000) -> int:
    """The page asked for: 1 for anything that is not a sane page number."""
    try:
        return min(max(int(page or 1), 1), max_page)
    except ValueError:
        return 1


def news_page(queryset, page: str | None, size: int, max_page: int = 10_000) -> NewsPage:
    """The requested page (1 for anything that is not a sane page number)."""
    number = page_number(page, max_page)
    start = (number - 1) * size
    rows = list(queryset[start:start + size + 1])
    return NewsPage(object_list=rows[:size], number=number, has_next=len(rows) > size)


class ListingEnded(Http404):
    """A page past a listing's last (its count is never taken: 100,000 stories to count),
    said as such by the not-found page, with the way to the first."""

    def __init__(self, number: int) -> None:
        super().__init__(f"No page {number}: the listing ends before it.")
        self.number = number
