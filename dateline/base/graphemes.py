"""Text cut where a reader sees a character end.

Python slices by code point: a flag is two (regional indicators), a family emoji seven (people
joined by U+200D), a letter with an accent NFC cannot compose two or more. A teaser cut at 300
code points ended in half a flag. The `regex` library knows Unicode's grapheme clusters (\\X,
UAX #29); the standard `re` does not.
"""

import regex

_CLUSTER = regex.compile(r"\X")


def clipped(text: str, limit: int) -> str:
    """The longest start of `text` of whole grapheme clusters within `limit` code points (the
    columns' limits count code points). A first cluster longer than the limit (a letter under
    hundreds of combining marks) is cut as code points: something rather than nothing."""
    if len(text) <= limit:
        return text
    end = 0
    for cluster in _CLUSTER.finditer(text, 0, limit + 1):
        if cluster.end() > limit:
            break
        end = cluster.end()
    # The cluster search stopped at limit + 1 characters: a cluster running past it ends past
    # the limit as well, so the last whole one within is found all the same.
    return text[:end] if end else text[:limit]
