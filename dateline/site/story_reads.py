"""What the article page reads about its story, as prepared queries (dateline.base.prepared).

The same rows `prefetch_related` read (authors, sources, tags, notes), put where it would put
them, so the templates and the structured data read `article.tags.all()` as before; without
building each query's SQL again, which was most of the CPU these reads cost on a cold page.
"""

from django.utils.functional import SimpleLazyObject

from dateline.base.prepared import Prepared, set_prefetched
from dateline.newsroom.models import Article, ArticleNote, Author, Source, Tag

_AUTHORS = Prepared(lambda pk: Author.objects.only("name", "slug").filter(articles=pk), Author)
# The rights fields too: the page's JSON-LD names the story's rights holder.
_SOURCES = Prepared(lambda pk: Source.objects.only(
    "name", "url", "rights_holder", "copyright_notice", "usage_terms").filter(articles=pk), Source)
_TAGS = Prepared(lambda pk: Tag.objects.filter(articles=pk).order_by("kind", "name"), Tag)
_NOTES = Prepared(lambda pk: ArticleNote.objects.filter(article=pk), ArticleNote)


def load_story(article: Article) -> Article:
    """`article` with its authors, sources, tags and notes read: four queries."""
    for name, model, query in (("authors", Author, _AUTHORS), ("sources", Source, _SOURCES),
                               ("tags", Tag, _TAGS), ("notes", ArticleNote, _NOTES)):
        set_prefetched(article, name, model, query.objects(article.pk))
    return article


_TAG_IDS = Prepared(lambda pk: Article.tags.through.objects.filter(article_id=pk)
                    .values_list("tag_id"), Article.tags.through)


def tag_ids(article: Article) -> SimpleLazyObject:
    """The story's tag ids for its ad slots (a campaign bought for a tag fills only its
    stories' boxes), read when a slot first needs them: from the tags already read, or by one
    query."""
    def read() -> list[int]:
        loaded = getattr(article, "_prefetched_objects_cache", {}).get("tags")
        if loaded is not None:
            return [tag.pk for tag in loaded]
        return [pk for pk, in _TAG_IDS.rows(article.pk)]

    return SimpleLazyObject(read)
