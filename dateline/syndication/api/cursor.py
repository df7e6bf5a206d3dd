"""Opaque, signed cursors: where the last page ended, as (published_at, id) of its last item."""

from datetime import datetime

from django.core import signing

SALT = "dateline.syndication.api.cursor"


class BadCursor(ValueError):
    pass


def encode(published_at: datetime, pk: int) -> str:
    return signing.dumps([published_at.isoformat(), pk], salt=SALT, compress=True)


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        published_at, pk = signing.loads(cursor, salt=SALT)
        return datetime.fromisoformat(published_at), int(pk)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("This cursor is not one the API gave out; start again without it, "
                        "then follow the 'next' links.") from exc
