"""What every output format shares: a name, a media type and one dict per article."""

from collections.abc import Sequence
from typing import Any, ClassVar

from dateline.base.plugins import Registry
from dateline.newsroom.html import with_absolute_urls
from dateline.newsroom.models import Article

from ..pictures import body_photos_of, with_body_photos


class Formatter:
    """Turn live articles into one output format; subclass it and name it in the registry.

    `base_url` ("https://example.com") makes the links absolute.
    """

    name: ClassVar[str]
    media_type: ClassVar[str] = "application/json"

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._body_photos: dict[int, list] = {}

    def prepare(self, articles: Sequence[Article]) -> None:
        """Load what format() needs for these articles, in a bounded number of queries."""

    def format(self, article: Article) -> dict[str, Any]:
        raise NotImplementedError(f"Give {type(self).__name__} a format() method.")

    def withdrawn(self, article: Article) -> dict[str, Any]:
        """The item that tells a partner this story was withdrawn (the changes feed)."""
        raise NotImplementedError(f"Give {type(self).__name__} a withdrawn() method.")

    def withheld(self, article: Article) -> dict[str, Any]:
        """The item that tells a partner to hold this story until further notice (put under
        embargo after it came out); a format without such a status withdraws it."""
        return self.withdrawn(article)

    def format_all(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        self.prepare(articles)
        return [self.format(article) for article in articles]

    def absolute(self, path: str) -> str:
        return self.base_url + path

    def body_photos(self, article: Article) -> list:
        """The photos in the article's body with their renditions (pictures.body_photos_of),
        worked out once an article: the body and the associations both print them."""
        if article.pk not in self._body_photos:
            self._body_photos[article.pk] = body_photos_of(article, self.absolute)
        return self._body_photos[article.pk]

    def body_html(self, article: Article) -> str:
        """The body as saved (sanitised then) with its photos in place, as the story's page
        shows them, each path in it made absolute: on a partner's page "/articles/12/…" or
        "/media/…" would name the partner's own site."""
        body = with_body_photos(article.body, self.body_photos(article))
        if not self.base_url:
            return body
        return with_absolute_urls(body, self.absolute(article.get_absolute_url()))


# More formats by name in DATELINE_SYNDICATION_FORMATTERS ({"name": "dotted.path.Class"}).
registry = Registry("formatter", Formatter, setting="DATELINE_SYNDICATION_FORMATTERS", builtins={
    "ninjs31": "dateline.syndication.formatters.ninjs.Ninjs31Formatter",
    "ninjs21": "dateline.syndication.formatters.ninjs2.Ninjs21Formatter",
    "ninjs16": "dateline.syndication.formatters.ninjs1.Ninjs16Formatter",
    "ninjs15": "dateline.syndication.formatters.ninjs1.Ninjs15Formatter",
})
