"""Who readers are told wrote something: a public name, never an account's login name."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist


def public_name(user) -> str:
    """The account's author profile name, else its full name, else the desk's name."""
    try:
        profile = user.author  # the Author whose byline this account writes under
    except ObjectDoesNotExist:
        profile = None
    if profile is not None and profile.name.strip():
        return profile.name.strip()
    return user.get_full_name().strip() or settings.DATELINE_DESK_NAME
