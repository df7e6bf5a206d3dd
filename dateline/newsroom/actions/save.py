"""Saving an article's text: one revision per save, and no save over someone else's."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dateline.base.graphemes import clipped

from ..models import Article, Revision
from ..signals import article_saved


class StaleVersion(Exception):
    """The article changed since the editor opened it; their text is kept as a revision."""

    def __init__(self, current: Article, kept: Revision) -> None:
        self.current, self.kept = current, kept
        last = current.revisions.exclude(kind=Revision.Kind.REFUSED).first()
        who = (last.created_by.get_username() if last and last.created_by else "someone else")
        when = timezone.localtime(last.created_at).strftime("%H:%M") if last else ""
        super().__init__(
            f"This article was changed by {who}{' at ' + when if when else ''} after you opened "
            f"it, so your save was not applied. Your text is kept as revision {kept.pk}: "
            "compare it with the current version and merge what you need."
        )


def snapshot(article: Article, names: tuple[list, list, list] | None = None) -> dict:
    """The metadata a revision records beside the text (expects m2m already saved). `names`:
    the (authors, sources, tags) names when the caller has them (a bulk import), else read."""
    # Every field of the desk's form is here, so that a refused save can tell which fields the
    # editor changed since their version (desk/conflict.py).
    authors, sources, tags = names or (
        [a.name for a in article.authors.all()], [s.name for s in article.sources.all()],
        [t.name for t in article.tags.all()])
    return {
        "slug": article.slug,
        "byline_text": article.byline_text,
        "section": article.section.display_path if article.section_id else "",
        "dateline": article.dateline,
        "status": article.status,
        "authors": sorted(authors),
        "sources": sorted(sources),
        "tags": sorted(tags),
        "original_url": article.original_url,
        "is_top_story": article.is_top_story,
    }


def record_revision(article: Article, user, kind: str = Revision.Kind.SAVE, note: str = "",
                    version: int | None = None) -> Revision:
    return Revision.objects.create(
        article=article, kind=kind, version=version or article.version,
        headline=article.headline, standfirst=article.standfirst, body=article.body,
        metadata=snapshot(article), created_by=user, note=note,
    )


def keep_refused(article_id: int, user, base_version: int, headline: str, standfirst: str,
                 body: str, note: str = "Saved over a newer version; kept, not applied.",
                 ) -> Revision:
    """Store the text of a refused save so that nobody's work is lost."""
    return Revision.objects.create(
        article_id=article_id, kind=Revision.Kind.REFUSED, version=base_version,
        headline=clipped(headline, 300), standfirst=standfirst, body=body, created_by=user,
        note=note,
    )


def claim_version(article: Article, base_version: int) -> bool:
    """Atomically move the article from base_version to the next; False if it moved already."""
    claimed = Article.objects.filter(pk=article.pk, version=base_version).update(
        version=F("version") + 1
    )
    if claimed:
        article.version = base_version + 1
    return bool(claimed)


def announce_saved(article: Article) -> None:
    transaction.on_commit(lambda: article_saved.send(sender=Article, article=article))
