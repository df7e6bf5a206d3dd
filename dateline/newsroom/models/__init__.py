from .article import Article, ArticleQuerySet
from .people import Author, Source
from .section import Section
from .tag import Tag

__all__ = ["Article", "ArticleQuerySet", "Author", "Section", "Source", "Tag"]
