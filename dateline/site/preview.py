"""Signed, expiring links that show an unpublished article as readers will see it."""

from django.conf import settings
from django.core import signing
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from dateline.newsroom.models import Article, AuditEntry
from dateline.newsroom.related import more_from_section, related_articles

from .sections import attach_sections

SALT = "dateline.preview"


def last_kill(article_id: int) -> int:
    """The audit entry of the article's latest kill (0 if never killed): links name it."""
    kills = AuditEntry.objects.filter(article_id=article_id, to_status=Article.Status.UNPUBLISHED)
    return kills.exclude(from_status=Article.Status.UNPUBLISHED).aggregate(last=Max("pk"))[
        "last"] or 0


def preview_url(article: Article) -> str:
    token = signing.dumps({"article": article.pk, "killed": last_kill(article.pk)},
                          salt=SALT, compress=True)
    return reverse("site:preview", kwargs={"token": token})


@never_cache
def preview(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.DATELINE_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "site/preview_expired.html", status=410)
    except signing.BadSignature:
        raise Http404("No such preview.") from None
    article = (
        Article.objects.select_related("section")
        .prefetch_related("authors", "sources", "tags", "notes")
        .filter(pk=data.get("article")).first()
    )
    # A killed story stays unseen through links handed out before the kill, even once it is
    # back in the workflow; a deleted one is gone.
    if (article is None or article.status == Article.Status.UNPUBLISHED
            or last_kill(article.pk) != data.get("killed", 0)):
        return render(request, "site/preview_gone.html", status=410)
    related = related_articles(article)
    more = more_from_section(article, shown=related)
    attach_sections(related, more)
    response = render(
        request,
        "site/article.html",
        {
            "article": article,
            "preview": True,
            "breadcrumbs": article.section.breadcrumbs(),
            "related": related,
            "more_from_section": more,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
