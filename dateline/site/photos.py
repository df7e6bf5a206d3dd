"""The photos on the public pages: listings' thumbnails and the article's lead and body photos.

Every page shows renditions the worker made (dateline.pictures.display), never an original; a
photo without renditions yet shows nothing rather than keep a reader waiting.
"""

from collections.abc import Iterable

from django.db.models import prefetch_related_objects
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dateline.base.prepared import Prepared, set_prefetched
from dateline.newsroom.models import Article
from dateline.pictures.display import picture
from dateline.pictures.models import Photo, Rendition, StoryPhoto
from dateline.pictures.placing import placed
from dateline.pictures.renditions import FREE
from dateline.pictures.stories import caption_of, credit_of, lead_photos_for

# Thumbnails are at most 10rem wide beside a teaser (see site.css); the top story's takes three
# fifths of the 72rem page from 48rem up, the whole width below. The browser picks from the
# srcset with these, so a phone never loads a 1200 px file.
THUMB_SIZES = "(min-width: 48rem) 10rem, 30vw"
TOP_SIZES = "(min-width: 72rem) 42rem, (min-width: 48rem) 58vw, calc(100vw - 2rem)"
# The story column is 42rem at most (--measure), less the page's padding on a phone.
STORY_SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
# How many of a page's thumbnails are above the fold on most screens.
EAGER_THUMBNAILS = 3
_USES = Prepared(lambda pk: StoryPhoto.objects.filter(article=pk), StoryPhoto)
_PHOTOS = Prepared(lambda pks: Photo.objects.filter(pk__in=pks), Photo)
_RENDITIONS = Prepared(lambda pks: Rendition.objects.filter(photo__in=pks), Rendition)


def attach_thumbnails(*listings: Iterable[Article | None], top: Article | None = None,
                      eager: int = EAGER_THUMBNAILS) -> None:
    """Give each listed story a `thumbnail` (its lead photo's <picture>, or ""), in two queries
    for the whole page: the lead photos, and their renditions."""
    articles = [a for listing in listings for a in listing if a is not None]
    leads = lead_photos_for(articles)
    prefetch_related_objects(list(leads.values()), "photo__renditions")
    shown = 0
    for article in articles:
        lead = leads.get(article.pk)
        article.thumbnail = ""
        if lead is None:
            continue
        # The first few pictures of the page: lazy loading would only delay them.
        loading = "eager" if shown < eager else "lazy"
        shown += 1
        if article is top:
            article.thumbnail = picture(lead.photo, "16x9", TOP_SIZES, loading=loading)
        else:
            article.thumbnail = picture(lead.photo, "4x3", THUMB_SIZES, loading=loading)


def story_photos(article: Article) -> tuple[StoryPhoto | None, list[StoryPhoto]]:
    """The story's lead photo and its body photos in reading order, with renditions: one query,
    three where it has photos (prepared: each query's SQL built once, where select_related and
    prefetch_related built two afresh for every cold article page)."""
    uses = _USES.objects(article.pk)
    if uses:
        ids = sorted({use.photo_id for use in uses})
        photos = {photo.pk: photo for photo in _PHOTOS.objects(ids)}
        renditions: dict[int, list[Rendition]] = {pk: [] for pk in ids}
        for rendition in _RENDITIONS.objects(ids):
            renditions[rendition.photo_id].append(rendition)
        for photo in photos.values():
            set_prefetched(photo, "renditions", Rendition, renditions[photo.pk])
        uses = [use for use in uses if use.photo_id in photos]  # one deleted between the reads
        for use in uses:
            use.photo = photos[use.photo_id]
    lead = next((u for u in uses if u.role == StoryPhoto.Role.LEAD), None)
    return lead, [u for u in uses if u.role == StoryPhoto.Role.BODY]


def figure(use: StoryPhoto, *, lead: bool = False) -> SafeString:
    """The photo with its caption and credit; "" until the worker has made a rendition."""
    if lead:
        # The lead photo is the page's largest paint: fetched first, never lazily.
        shown = str(picture(use.photo, "16x9", STORY_SIZES, loading="eager"))
        shown = mark_safe(shown.replace("<img ", '<img fetchpriority="high" ', 1))
    else:
        # As taken: a body photo is there for what it shows (a phone's portrait photo cut to
        # 16:9 lost most of it); the lead keeps the page's shape, around its focal point.
        shown = picture(use.photo, FREE, STORY_SIZES)
    if not shown:
        return mark_safe("")
    caption, credit = caption_of(use), credit_of(use)
    words = format_html(
        "<figcaption>{}{}</figcaption>",
        format_html('<span class="photo-caption">{}</span> ', caption) if caption else "",
        format_html('<span class="photo-credit">Photo: {}</span>', credit) if credit else "",
    ) if caption or credit else ""
    kind = "story-photo-lead" if lead else "story-photo-body"
    return format_html('<figure class="story-photo {}">{}{}</figure>', kind, shown, words)


def body_with_photos(body: str, photos: list[StoryPhoto]) -> SafeString:
    """The body (sanitised on save) with each photo after its paragraph (pictures.placing).
    `photos` are in reading order."""
    return mark_safe(placed(body, [(use.after_paragraph, figure(use)) for use in photos]))


def story_context(article: Article, lead: StoryPhoto | None, body: list[StoryPhoto]) -> dict:
    """What the story's template shows of its photos (`story_photos`' answer): the lead
    <figure> and the body with its photos in place."""
    return {"lead_figure": figure(lead, lead=True) if lead else "",
            "body_html": body_with_photos(article.body, body)}
