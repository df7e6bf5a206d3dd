"""The pages readers see: home, sections, tags, authors and the article itself."""

from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from dateline.ads.templatetags.ads import ad_slot
from dateline.base.addresses import asset
from dateline.base.prepared import Prepared, all_of
from dateline.intelligence.related import related_for
from dateline.newsroom.models import Article, Author, Tag
from dateline.newsroom.related import more_from_section
from dateline.newsroom.signals import story_page_rendering
from dateline.pagecache import keys
from dateline.pagecache.queries import reads_query
from dateline.pictures.placing import paragraph_ends
from dateline.readership.most_read import block as most_read_block

from . import photos, sections, structured
from .fragments import fragment
from .own_url import site_url
from .pagination import ListingEnded, NewsPage, news_page, page_number
from .sections import attach_sections, main_sections
from .story_reads import load_story, tag_ids

# One row by primary key, its SQL compiled once (the ORM's compiler took a third of a stored
# page's time) and its rows made into an article without a raw queryset's work each time.
_BY_PK = Prepared(lambda pk: Article.objects.filter(pk=pk), Article)
LATEST_ON_HOME = 12
PER_SECTION_ON_HOME = 4


@reads_query()
def home(request: HttpRequest) -> HttpResponse:
    # Everything below the masthead but the JSON-LD is one part, renewed by any change to a
    # story (each names the `home` key) or to the sections.
    body_html, body_keys = fragment("home", lambda: _render_home(request))
    read_html, read_keys = most_read_block()
    response = render(request, "site/home.html", {
        "body_html": mark_safe(body_html),
        "most_read_html": mark_safe(read_html),
        "organization": structured.json_ld(structured.home_page(request)),
    })
    keys.add(response, keys.HOME, keys.TICKER, body_keys, read_keys)
    return response


def _render_home(request: HttpRequest) -> tuple[str, set[str]]:
    live = Article.objects.live().for_listing().newest_first()
    # The desk's top story, else the newest dated one: an undated archive's import (its time
    # the import's) led the home page as the day's news.
    chosen = live.filter(is_top_story=True).first()
    top = chosen or live.filter(published_at_is_import_time=False).first() or live.first()
    latest = list(live.exclude(pk=top.pk)[:LATEST_ON_HOME]) if top else []
    shown = {a.pk for a in latest} | ({top.pk} if top else set())
    attach_sections([top], latest)
    blocks: list = []
    for section in main_sections():
        stories = list(live.in_section(section, sections.subtree_ids(section))
                       .exclude(pk__in=shown)[:PER_SECTION_ON_HOME])
        if stories:
            attach_sections(stories)
            blocks.append((section, stories))
    photos.attach_thumbnails([top], latest, *(stories for _, stories in blocks), top=top)
    html = render_to_string("site/includes/home_body.html", {
        "top_story": top, "top_chosen": chosen is not None, "latest": latest,
        "section_blocks": blocks,
    }, request)
    return html, {keys.HOME, keys.NAV, *keys.articles([top, *latest]),
                  *keys.articles(a for _, stories in blocks for a in stories)}


@reads_query()
def article_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    article = Article.objects.only("pk", "slug", "status", "published_at",
                                   "embargo_until").filter(pk=pk).first()
    if article is None or not article.is_live:
        return _not_shown(request, article)
    return redirect(article, permanent=True)


def _not_shown(request: HttpRequest, article: Article | None) -> HttpResponse:
    """A killed story is gone (410), said so, without a word of it: crawlers and partners'
    readers drop it, where a 404 reads as a mistyped address to try again. Anything else not
    live (a draft, a story yet to come) is not found."""
    if article is None or article.status != Article.Status.UNPUBLISHED or (
            article.published_at is None):  # killed while an embargo held it: never out
        raise Http404("No such article.")
    return render(request, "site/withdrawn.html", status=410)


@reads_query()
def article(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    # By primary key, liveness checked here (`Article.is_live`, the rule of `live()`): building
    # the live filter's SQL took a third of a page whose parts were all stored.
    article = next(iter(_BY_PK.objects(pk)), None)
    if article is None or not article.is_live:
        return _not_shown(request, article)
    attach_sections([article])
    if slug != article.slug:
        # The id is the permanent part of the URL; any other slug is an old or mistyped one.
        return redirect(article, permanent=True)
    # The story and its head tags show the same data; whichever parts miss load it once,
    # onto the article already read.
    full = cache(lambda: load_story(article))
    shown = cache(lambda: photos.story_photos(full()))
    story_html, story_keys = fragment(
        f"story:{pk}", lambda: _render_story(request, full(), shown()))
    # The head names absolute URLs, so it is kept per scheme and host, as pages are.
    origin = f"{request.scheme}://{request.get_host()}"
    head_html, head_keys = fragment(
        f"head:{pk}:{origin}", lambda: _render_head(request, full(), shown()[0]))
    # The aside ranks by the story's tags: read with the story when that part missed too.
    aside_html, aside_keys = fragment(f"aside:{pk}", lambda: _render_aside(
        request, full() if full.cache_info().currsize else article))
    # Counted afresh every few minutes (dateline.readership), the same on every page.
    read_html, read_keys = most_read_block()
    response = render(request, "site/article.html", {
        "article": article,
        "ad_tags": tag_ids(full() if full.cache_info().currsize else article),
        "current_root": article.section.path.split("/")[0],
        "story_html": mark_safe(story_html),
        "head_html": mark_safe(head_html),
        "aside_html": mark_safe(aside_html),
        "most_read_html": mark_safe(read_html),
    })
    keys.add(response, keys.article(pk), story_keys, head_keys, aside_keys, read_keys)
    return response


def _story_keys(full: Article) -> set[str]:
    found = {keys.article(full.pk), keys.NAV}
    found.update(keys.tag(t.pk) for t in all_of(full, "tags"))
    found.update(keys.author(a.pk) for a in all_of(full, "authors"))
    found.update(keys.source(s.pk) for s in all_of(full, "sources"))
    return found


def _render_head(request: HttpRequest, full: Article, lead) -> tuple[str, set[str]]:
    """Open Graph, Twitter card and JSON-LD: what crawlers and link previews read."""
    html = render_to_string("site/includes/article_head.html", {
        "article": full,
        "url": site_url(full.get_absolute_url()),
        "social_image": structured.social_image(request, lead),
        "news_article": structured.json_ld(structured.news_article(request, full, lead)),
        "breadcrumb_list": structured.json_ld(
            structured.breadcrumb_list(request, sections.breadcrumbs(full.section))
        ),
    }, request)
    return html, _story_keys(full)


def _render_story(request: HttpRequest, full: Article, shown) -> tuple[str, set[str]]:
    """The story itself: breadcrumb, headline, dateline, byline, notes, photos, body, sources,
    tags."""
    context = photos.story_context(full, *shown)
    context["body_html"] = _with_ad_slot(context["body_html"], full)
    html = render_to_string("site/includes/article_story.html", {
        "article": full, "breadcrumbs": sections.breadcrumbs(full.section),
        **context, **_added_to_story(full),
    }, request)
    return html, _story_keys(full)


def _with_ad_slot(body: str, full: Article) -> str:
    """The in-story ad slot after paragraph N (dateline.ads), where the story goes on after it."""
    ends = paragraph_ends(body)
    after = settings.DATELINE_ADS_AFTER_PARAGRAPH
    if len(ends) <= after:
        return body
    at = ends[after - 1]
    return mark_safe(body[:at] + ad_slot("in-story", full.section_id, all_of(full, "tags"))
                     + body[at:])


def _added_to_story(full: Article) -> dict:
    """What other apps show within the story (dateline.live: its live coverage)."""
    added = {}
    for _, context in story_page_rendering.send(sender=Article, article=full):
        added.update(context or {})
    return added


def _render_aside(request: HttpRequest, article: Article) -> tuple[str, set[str]]:
    """Related Articles and More from <section>: what a reader may want next."""
    related = related_for(article)
    more = more_from_section(article, shown=related,
                             subtree=sections.subtree_ids(article.section))
    attach_sections(related, more)
    html = render_to_string("site/includes/article_aside.html", {
        "article": article, "related": related, "more_from_section": more,
        "ad_tags": tag_ids(article),
    }, request)
    # The story's own key too: a new related list (dateline.intelligence) invalidates it.
    return html, {keys.NAV, keys.article(article.pk), *keys.articles(related),
                  *keys.articles(more)}


def _paginate(request: HttpRequest, queryset) -> NewsPage:
    page = news_page(queryset, request.GET.get("page"), settings.DATELINE_PAGE_SIZE)
    if page.number > 1 and not page.object_list:  # past the last: an empty page said "none yet"
        raise ListingEnded(page.number)
    attach_sections(page.object_list)
    photos.attach_thumbnails(page.object_list)
    return page


def _unless_unpublished(page: NewsPage) -> NewsPage:
    """A tag's or author's first page, shown once a live story names them. Tags and authors
    are made as a draft is saved: their pages answered 200 "No stories here yet" where an
    unknown name was a 404, telling anyone who guessed a name that the newsroom was working on
    a story about it (an outside tester's finding). Their keys renew the page at publication."""
    if page.number == 1 and not page.object_list:
        raise Http404("Nothing is published here.")
    return page


def _depth(request: HttpRequest) -> int:
    """How many of a listing's newest stories its requested page reads (and one more)."""
    return page_number(request.GET.get("page")) * settings.DATELINE_PAGE_SIZE + 1


@reads_query("page")
def section(request: HttpRequest, path: str) -> HttpResponse:
    section = sections.by_path(path)
    if section is None:
        raise Http404("No such section.")
    breadcrumbs = sections.breadcrumbs(section)
    subsections = sections.subsections(section)
    number = page_number(request.GET.get("page"))

    def render_list() -> tuple[str, set[str]]:
        page = _paginate(request, Article.objects.live().in_section(
            section, sections.subtree_ids(section)).for_listing().newest_first())
        html = render_to_string("site/includes/article_list.html", {
            "page": page, "show_section": subsections, "ad_section": section.pk,
            "ad_every": settings.DATELINE_ADS_LISTING_EVERY}, request)
        return html, {keys.NAV, keys.section(section.pk), *keys.articles(page.object_list)}

    # The listing is a part: renewed by any change to a story of the section or below it.
    list_html, list_keys = fragment(f"section-list:{section.pk}:{number}", render_list)
    response = render(
        request,
        "site/section.html",
        {
            "section": section,
            "breadcrumbs": breadcrumbs,
            "breadcrumb_list": structured.json_ld(structured.breadcrumb_list(request, breadcrumbs)),
            "current_root": section.path.split("/")[0],
            "subsections": subsections,
            "page": NewsPage(object_list=[], number=number, has_next=False),
            "list_html": mark_safe(list_html),
        },
    )
    keys.add(response, keys.section(section.pk), list_keys)
    return response


@reads_query("page")
def tag(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, kind=Tag.kind_for_prefix(kind), slug=slug)
    stories = Article.objects.live().linked_to("tags", tag.pk, _depth(request))
    page = _unless_unpublished(_paginate(request, stories.for_listing().newest_first()))
    response = render(request, "site/tag.html", {"tag": tag, "page": page})
    keys.add(response, keys.tag(tag.pk), keys.articles(page.object_list))
    return response


@reads_query("page")
def author(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    stories = Article.objects.live().linked_to("authors", author.pk, _depth(request))
    page = _unless_unpublished(_paginate(request, stories.for_listing().newest_first()))
    response = render(request, "site/author.html", {"author": author, "page": page})
    keys.add(response, keys.author(author.pk), keys.articles(page.object_list))
    return response


@reads_query()
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name none, such as the desk's."""
    return redirect(asset("site/favicon.svg"), permanent=True)


def page_not_found(request: HttpRequest, exception: Http404 | None = None) -> HttpResponse:
    # A listing's page past its end says so, with the way to its first page: it said "the
    # address may be mistyped", of a link a reader had followed from page 2.
    ended = exception.number if isinstance(exception, ListingEnded) else None
    return render(request, "404.html", {"ended_at": ended}, status=404)
