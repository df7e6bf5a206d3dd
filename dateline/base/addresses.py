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
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
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


def asset(path: str) -> str:
    """`static(path)`, remembered: about 11 µs each, five on every reader page. The storage
    reads its manifest once, when a process first uses it, so the hashed name is a function of
    the path and the settings in force (a change of those in tests forgets them all)."""
    return _asset(get_script_prefix(), path)


@lru_cache(maxsize=1024)
def _asset(prefix: str, path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _forget_assets(setting: str, **_) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES", "DEBUG"}:
        _asset.cache_clear()
