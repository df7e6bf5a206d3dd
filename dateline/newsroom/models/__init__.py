from .article import Article, ArticleQuerySet
from .history import ArticleNote, AuditEntry, Revision
from .people import Author, Source
from .section import Section
from .security import TwoFactorRole
from .tag import Tag

__all__ = [
    "Article", "ArticleNote", "ArticleQuerySet", "AuditEntry", "Author", "Revision", "Section",
    "Source", "Tag", "TwoFactorRole",
]
