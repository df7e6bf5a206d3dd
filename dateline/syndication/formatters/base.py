"""What every output format shares: a name, a media type and one dict per article."""

from collections.abc import Sequence
from typing import Any, ClassVar

from dateline.newsroom.models import Article


class Formatter:
    """Turn live articles into one output format; subclass and register it by name.

    `base_url` ("https://example.com") makes the links absolute.
    """

    name: ClassVar[str]
    media_type: ClassVar[str] = "application/json"

    def __init__(self, base_url: str = "") -> None:
        self.base_url = base_url.rstrip("/")

    def prepare(self, articles: Sequence[Article]) -> None:
        """Load what format() needs for these articles, in a bounded number of queries."""

    def format(self, article: Article) -> dict[str, Any]:
        raise NotImplementedError(f"Give {type(self).__name__} a format() method.")

    def format_all(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        self.prepare(articles)
        return [self.format(article) for article in articles]

    def absolute(self, path: str) -> str:
        return self.base_url + path


class AlreadyRegistered(ValueError):
    """Two formatters were given the same name."""


class FormatterRegistry:
    """Formatters by name; a second formatter under a taken name is refused."""

    def __init__(self) -> None:
        self._formatters: dict[str, type[Formatter]] = {}

    def register(self, formatter: type[Formatter]) -> type[Formatter]:
        """Register a formatter class; usable as a class decorator."""
        if formatter.name in self._formatters:
            raise AlreadyRegistered(
                f"A formatter named {formatter.name!r} is already registered "
                f"({self._formatters[formatter.name].__qualname__}); give "
                f"{formatter.__qualname__} another name."
            )
        self._formatters[formatter.name] = formatter
        return formatter

    def get(self, name: str) -> type[Formatter]:
        return self._formatters[name]

    def names(self) -> list[str]:
        return sorted(self._formatters)


registry = FormatterRegistry()
