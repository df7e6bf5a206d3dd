from django.conf import settings

from .sections import main_sections


def site(request) -> dict:
    return {
        "site_name": settings.DATELINE_SITE_NAME,
        "site_tagline": settings.DATELINE_SITE_TAGLINE,
        "main_sections": main_sections,
        "newsdesk_email": settings.DATELINE_NEWSDESK_EMAIL,
    }
