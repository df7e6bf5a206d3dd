"""The desk's front page opens with what an app needs editors to know now (notices), then the
screens a newsroom works in all day ("Write a story", the foreign-media monitor, readers'
reports, the edition), not only with Django's list of models, where the monitor and the
readership screen have no row of their own.

Each app names its own screens from its `AppConfig.ready()`, so the newsroom knows none of the
apps above it; each is shown to those allowed to open it, in the order of
`DATELINE_DESK_APP_ORDER`, which orders the list of models below them too.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


@dataclass(frozen=True)
class Shortcut:
    title: str
    url_name: str  # reversed when shown: "admin:newsroom_article_add", "ingest-desk:monitor"
    says: str  # what the screen is for, in a few words
    permission: str  # the one the screen's own view checks first
    app_label: str
    # What waits there for this user, counted (an indexed query), and what the number counts:
    # "2 waiting for you". A module-level function, so that the same shortcut added twice is one.
    count: Callable[[Any], int] | None = None
    counted: str = ""


_shortcuts: dict[str, Shortcut] = {}
_notices: list[Callable[[Any], str | None]] = []


def add(shortcut: Shortcut) -> None:
    """Name a screen on the desk's front page; a screen named twice differently is refused (the
    same twice is one: Django may run an app's ready() again, as tests that change the
    installed apps do)."""
    if _shortcuts.get(shortcut.url_name, shortcut) != shortcut:
        raise ImproperlyConfigured(
            f"The desk shortcut to {shortcut.url_name} is added twice "
            f"({_shortcuts[shortcut.url_name].title!r} and {shortcut.title!r}).")
    _shortcuts[shortcut.url_name] = shortcut


def app_rank(app_label: str) -> tuple[int, str]:
    """Where an app stands on the desk: as DATELINE_DESK_APP_ORDER says, the others after."""
    order = settings.DATELINE_DESK_APP_ORDER
    return (order.index(app_label) if app_label in order else len(order), app_label)


def shown_to(user) -> list[dict[str, str]]:
    shown = sorted((s for s in _shortcuts.values() if user.has_perm(s.permission)),
                   key=lambda s: app_rank(s.app_label))  # stable: an app's own order kept
    return [{"title": s.title, "url": reverse(s.url_name), "says": s.says,
             "waiting": f"{number} {s.counted}" if s.count and (number := s.count(user)) else ""}
            for s in shown]


def add_notice(notice: Callable[[Any], str | None]) -> None:
    """A function of the desk user that says what the front page must tell them now, or None
    (each is a query or two: the front page runs them all). Added once, however often."""
    if notice not in _notices:
        _notices.append(notice)


def notices_for(user) -> list[str]:
    return [said for notice in _notices if (said := notice(user))]
