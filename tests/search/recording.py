"""A second search backend for tests: a real, small index kept in memory.

Its alias `database` below gives it a path ending in `.database`, the ending that once made
the loader take any backend for the database's own.
"""

from collections.abc import Iterable

from dateline.newsroom.models import Article
from dateline.search.backends.base import BaseSearchBackend, plain_text


class RecordingBackend(BaseSearchBackend):
    """Each article's indexed words, by id, in this instance's memory."""

    def __init__(self, params: dict) -> None:
        super().__init__(params)
        self.entries: dict[int, str] = {}

    def add_bulk(self, articles: Iterable[Article]) -> None:
        for article in articles:
            self.entries[article.pk] = " ".join(
                (article.headline, article.teaser, plain_text(article.body))
            )

    def delete(self, article_ids: Iterable[int]) -> None:
        for pk in article_ids:
            self.entries.pop(pk, None)

    def reset_index(self) -> None:
        self.entries.clear()

    def prune(self) -> int:
        kept = set(Article.objects.filter(pk__in=list(self.entries)).values_list("pk", flat=True))
        gone = set(self.entries) - kept
        for pk in gone:
            del self.entries[pk]
        return len(gone)


database = RecordingBackend
