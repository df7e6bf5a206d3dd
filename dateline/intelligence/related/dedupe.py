"""Copies of one story (a wire story filed twice, an archive imported twice) are shown once.

Two stories are copies when their headline and the opening of their text are the same
letters and digits: the markup, spacing and punctuation, which differ between an HTML body
and its plain text, are ignored, and so is what follows the opening (the wire sent stories
again with "REUTER" or a line added at the end).
"""

import hashlib
import html
import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+")
_TAG = re.compile(r"<[^>]*>")


def plain(body: str) -> str:
    """The words of a sanitised body (newsroom.html keeps no comments or scripts), fast:
    Django's strip_tags parses the HTML and costs a millisecond a story."""
    return html.unescape(_TAG.sub(" ", body or ""))


OPENING = 300  # letters and digits of the text compared


def text_key(headline: str, body: str, markup: bool = True) -> str:
    """The same for copies whether `body` is HTML (`markup`) or plain text (a Story's, where
    "<Dixons Group PLC>" is words, not a tag)."""
    return _key_of_opening(headline, (body or "")[:4 * OPENING], markup)


# Every article page keys its related stories and itself: two regular expressions over each
# opening were 0.27 ms of a cold article (bench/README.md). A pure function of its arguments,
# so remembered; the openings held are at most 1,200 characters each (about 10 MB in all).
@lru_cache(maxsize=8192)
def _key_of_opening(headline: str, text: str, markup: bool) -> str:
    letters = _NOT_WORD.sub("", (plain(text) if markup else text).casefold())[:OPENING]
    named = _NOT_WORD.sub("", headline.casefold())
    return hashlib.blake2b(f"{named}|{letters}".encode(), digest_size=16).hexdigest()


def unique_newest(order: Iterable[int], texts: dict[int, tuple[str, str, datetime | None]],
                  seen: set[str]) -> list[int]:
    """`order` less the copies of anything in `seen` and of each other: of a group of copies
    the newest stands where the first of them stood. Adds the keys kept to `seen`."""
    order = [pk for pk in order if pk in texts]
    keys = {pk: text_key(texts[pk][0], texts[pk][1]) for pk in order}
    newest: dict[str, int] = {}
    for pk in order:
        key, current = keys[pk], newest.get(keys[pk])
        if current is None or _later(texts[pk][2], texts[current][2]):
            newest[key] = pk
    kept = []
    for pk in order:
        key = keys[pk]
        if key in seen:
            continue
        seen.add(key)
        kept.append(newest[key])
    return kept


def _later(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and (b is None or a > b)
