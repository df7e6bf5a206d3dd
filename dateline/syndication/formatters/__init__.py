"""Output formats for syndication, by name: `registry.get("ninjs31")`."""

from .base import AlreadyRegistered, Formatter, FormatterRegistry, registry
from .ninjs import Ninjs31Formatter

__all__ = ["AlreadyRegistered", "Formatter", "FormatterRegistry", "Ninjs31Formatter", "registry"]
