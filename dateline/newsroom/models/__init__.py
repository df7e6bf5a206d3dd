from .article import Article, ArticleQuerySet
from .history import ArticleNote, AuditEntry, Revision
from .moved import FormerAddress
from .people import Author, Source
from .section import Section
from .security import TwoFactorRole
from .tag import Tag
from .working import AddPageKey, Autosave, Presence

__all__ = [
    "AddPageKey", "Article", "ArticleNote", "ArticleQuerySet", "AuditEntry", "Author", "Autosave",
    "FormerAddress", "Presence", "Revision", "Section", "Source", "Tag", "TwoFactorRole",
]
