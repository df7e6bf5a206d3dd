"""Opaque, signed cursors: where the last page ended, as (published_at, id) of its last item.

Signed without a timestamp: the same position always gives the same cursor, so an unchanged
page (whose `next` link holds it) keeps its ETag and a partner's re-poll is answered 304.
"""

from datetime import datetime

from django.core import signing

SALT = "dateline.syndication.api.cursor"


class BadCursor(ValueError):
    pass


def encode(published_at: datetime, pk: int) -> str:
    return signing.Signer(salt=SALT).sign_object([published_at.isoformat(), pk], compress=True)


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        published_at, pk = signing.Signer(salt=SALT).unsign_object(cursor)
        return datetime.fromisoformat(published_at), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("This cursor is not one the API gave out; start again without it, "
                        "then follow the 'next' links.") from exc
