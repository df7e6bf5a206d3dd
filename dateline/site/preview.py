"""Signed, expiring links that show an unpublished article as readers will see it."""

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from dateline.newsroom.models import Article
from dateline.newsroom.related import more_from_section, related_articles

from .sections import attach_sections

SALT = "dateline.preview"


def preview_url(article: Article) -> str:
    token = signing.dumps({"article": article.pk}, salt=SALT, compress=True)
    return reverse("site:preview", kwargs={"token": token})


@never_cache
def preview(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.DATELINE_PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        return render(request, "site/preview_expired.html", status=410)
    except signing.BadSignature:
        raise Http404("No such preview.") from None
    article = get_object_or_404(
        Article.objects.select_related("section").prefetch_related(
            "authors", "sources", "tags", "notes"
        ),
        pk=data.get("article"),
    )
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
