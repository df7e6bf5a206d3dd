"""Output formats for syndication, by name: `registry.get("ninjs31")` (also ninjs21, ninjs16,
ninjs15)."""

from dateline.base.plugins import AlreadyRegistered

from .base import Formatter, registry
from .ninjs import Ninjs31Formatter

__all__ = ["AlreadyRegistered", "Formatter", "Ninjs31Formatter", "registry"]
