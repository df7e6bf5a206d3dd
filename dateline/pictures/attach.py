"""Put a library photo in a story: the first one leads, later ones follow the last paragraph."""

import re

from dateline.newsroom.models import Article

from .models import Photo, StoryPhoto

_PARAGRAPH_END = re.compile(r"</p\s*>", re.IGNORECASE)


def paragraph_count(body: str) -> int:
    return len(_PARAGRAPH_END.findall(body or ""))


def attach(article: Article, photo: Photo, *, caption: str = "", credit: str = "",
           after_paragraph: int | None = None) -> tuple[StoryPhoto, bool]:
    """The story's use of the photo, made if new: a photo is in a story once (re-imports)."""
    existing = StoryPhoto.objects.filter(article=article, photo=photo).first()
    if existing:
        return existing, False
    uses = StoryPhoto.objects.filter(article=article)
    has_lead = uses.filter(role=StoryPhoto.Role.LEAD).exists()
    use = StoryPhoto.objects.create(
        article=article, photo=photo,
        role=StoryPhoto.Role.BODY if has_lead else StoryPhoto.Role.LEAD,
        after_paragraph=(paragraph_count(article.body) if after_paragraph is None
                         else after_paragraph),
        position=uses.count(), caption=caption[:2000], credit=credit[:300],
    )
    return use, True
