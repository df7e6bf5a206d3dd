"""Opaque, signed cursors: where the last page ended, as (published_at, id) of its last item
(for the changes feed, its own salt: (the time the change reached the wire, id)).

Signed without a timestamp: the same position always gives the same cursor, so an unchanged
page (whose `next` link holds it) keeps its ETag and a partner's re-poll is answered 304.
"""

from datetime import datetime

from django.core import signing

SALT = "dateline.syndication.api.cursor"
CHANGES_SALT = "dateline.syndication.api.changes"


class BadCursor(ValueError):
    pass


def encode(published_at: datetime, pk: int, salt: str = SALT) -> str:
    return signing.Signer(salt=salt).sign_object([published_at.isoformat(), pk], compress=True)


def decode(cursor: str, salt: str = SALT) -> tuple[datetime, int]:
    try:
        published_at, pk = signing.Signer(salt=salt).unsign_object(cursor)
        return datetime.fromisoformat(published_at), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("This cursor is not one the API gave out; start again without it, "
                        "then follow the 'next' links.") from exc
