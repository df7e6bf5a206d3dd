"""The site's addresses, each reversed once per process.

An article page names dozens of them (the sections' menu, the story's tags and authors, the
teasers of its aside), and Django's `reverse` costs about 30 µs each: a twentieth of a page
rendered from the database alone (profiled on the 100,000-story bench database). An address
is a pure function of the URL's name and arguments, the URL configuration in force and the
prefix the site is served under, so it is remembered under all of them and cannot go stale:
a renamed slug or a moved section is a new key.
"""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Every story, section, tag and author a busy site shows at once, several times over.
_MEMO = 50_000


def address(name: str, **kwargs) -> str:
    """`reverse(name, kwargs=kwargs)`, remembered."""
    return _address(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name,
                    tuple(kwargs.items()))


@lru_cache(maxsize=_MEMO)
def _address(urlconf: str, prefix: str, name: str, kwargs: tuple) -> str:
    return reverse(name, urlconf=urlconf, kwargs=dict(kwargs))
