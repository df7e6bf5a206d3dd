"""The photos stories carry, for every face that shows a story: one query for a whole list."""

from collections.abc import Iterable

from dateline.newsroom.models import Article

from .models import Photo, StoryPhoto


def lead_photo(article: Article) -> StoryPhoto | None:
    """The story's lead photo with its library photo, or None."""
    return (StoryPhoto.objects.select_related("photo")
            .filter(article=article, role=StoryPhoto.Role.LEAD).first())


def body_photos(article: Article) -> list[StoryPhoto]:
    """Photos placed in the body, in reading order."""
    return list(StoryPhoto.objects.select_related("photo")
                .filter(article=article, role=StoryPhoto.Role.BODY))


def lead_photos_for(articles: Iterable[Article]) -> dict[int, StoryPhoto]:
    """{article id: lead StoryPhoto} for a listing, in one query."""
    ids = [a.pk for a in articles]
    if not ids:
        return {}
    leads = StoryPhoto.objects.select_related("photo").filter(
        article_id__in=ids, role=StoryPhoto.Role.LEAD)
    return {lead.article_id: lead for lead in leads}


def caption_of(use: StoryPhoto) -> str:
    return use.caption or use.photo.caption


def credit_of(use: StoryPhoto) -> str:
    """The credit line as printed: the story's own, the library's, else creator and source."""
    photo: Photo = use.photo
    if use.credit or photo.credit:
        return use.credit or photo.credit
    return "/".join(part for part in (photo.source, photo.creator) if part)
