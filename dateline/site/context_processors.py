from django.conf import settings
from django.core.cache import cache

from dateline.newsroom.models import Section
from dateline.newsroom.signals import SECTION_TREE_CACHE_KEY


def main_sections() -> list[Section]:
    """The top-level sections for the menu, cached until a section changes."""
    sections = cache.get(SECTION_TREE_CACHE_KEY)
    if sections is None:
        sections = list(Section.objects.roots().only("name", "slug", "path", "position"))
        cache.set(SECTION_TREE_CACHE_KEY, sections, 3600)
    return sections


def site(request) -> dict:
    return {
        "site_name": settings.DATELINE_SITE_NAME,
        "site_tagline": settings.DATELINE_SITE_TAGLINE,
        "main_sections": main_sections,
        "newsdesk_email": settings.DATELINE_NEWSDESK_EMAIL,
    }
