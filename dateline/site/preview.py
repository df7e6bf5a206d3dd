"""The page a preview link opens: an unpublished article as readers will see it.

The links themselves are the newsroom's (`dateline.newsroom.preview`): the desk hands them out.
"""

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from dateline.intelligence.related import related_for
from dateline.newsroom.models import Article
from dateline.newsroom.preview import read_token, still_shows
from dateline.newsroom.related import more_from_section

from . import photos
from .sections import attach_sections


@never_cache
def preview(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = read_token(token)
    except signing.SignatureExpired:
        return render(request, "site/preview_expired.html", status=410)
    except signing.BadSignature:
        raise Http404("No such preview.") from None
    article = (
        Article.objects.select_related("section")
        .prefetch_related("authors", "sources", "tags", "notes")
        .filter(pk=data.get("article")).first()
    )
    if not still_shows(article, data):
        return render(request, "site/preview_gone.html", status=410)
    related = related_for(article)
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
            **photos.story_context(article, *photos.story_photos(article)),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
