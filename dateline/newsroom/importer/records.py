"""Validate one archive record; every problem is reported in words an editor can act on."""

import hashlib
import json
import zoneinfo
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from ..html import as_meant
from .datelines import dateline_and_body

MAX_ID = 200
MAX_TITLE = 300
MAX_BODY = 2_000_000
MAX_SHORT = 600
MAX_LABELS = 200
MAX_PHOTOS = 50
# Times outside these years are typing mistakes or hostile input; beyond them, year 1 with
# an offset overflows Python's datetime on the way to UTC and takes the database write with it.
FIRST_YEAR, LAST_YEAR = 1800, 2200

# Record field -> tag kind; a record lists label codes, the profile names them.
LABEL_FIELDS = {
    "topics": "topic",
    "places": "place",
    "people": "person",
    "orgs": "organisation",
    "exchanges": "organisation",
}


class RecordError(ValueError):
    """A record that cannot be imported; the message says why."""


@dataclass(frozen=True)
class ArticleRecord:
    external_id: str
    headline: str
    body: str
    body_is_html: bool
    standfirst: str
    section: str
    published_at: datetime | None
    updated_at: datetime | None
    status: str
    sources: tuple[str, ...]
    authors: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # (kind, code)
    places: tuple[str, ...]
    dateline: str
    original_url: str
    fingerprint: str
    # The record's photos as written ({"file" or "url", "caption", "alt", "credit", ...}):
    # the newsroom only checks their shape and passes them on (loader.story_imported).
    photos: tuple[dict, ...] = ()


def _string(record: dict, key: str, *, required: bool = False, limit: int = MAX_SHORT) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(f"'{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise RecordError(f"'{key}' is empty")
    if len(value) > limit:
        raise RecordError(f"'{key}' is {len(value):,} characters long; the limit is {limit:,}")
    _check_characters(value, f"'{key}'")
    return as_meant(value)


def _check_characters(value: str, what: str) -> None:
    """Refuse what no database column can hold: NUL, and halves of a UTF-16 surrogate pair."""
    if "\x00" in value:
        raise RecordError(f"{what} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        lone = value[exc.start]
        raise RecordError(
            f"{what} contains a lone surrogate (\\u{ord(lone):04x}), half of a character"
        ) from None


def _strings(record: dict, key: str) -> tuple[str, ...]:
    value = record.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"'{key}' must be a list of strings")
    if len(value) > MAX_LABELS:
        raise RecordError(f"'{key}' has {len(value)} entries; the limit is {MAX_LABELS}")
    cleaned = []
    for v in value:
        v = v.strip()
        if len(v) > 150:
            raise RecordError(f"an entry of '{key}' is longer than 150 characters")
        _check_characters(v, f"an entry of '{key}'")
        v = as_meant(v).strip()
        if v and v not in cleaned:
            cleaned.append(v)
    return tuple(cleaned)


def _timestamp(record: dict, key: str, zone: zoneinfo.ZoneInfo) -> datetime | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(f"'{key}' is not an ISO 8601 date and time: {value[:40]!r}") from None
    if timezone.is_naive(moment):
        # A wire time without an offset is the agency's local time, kept exactly as filed.
        moment = moment.replace(tzinfo=zone)
    try:
        year = moment.astimezone(UTC).year
    except OverflowError:
        year = None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        raise RecordError(f"'{key}' is out of range: {value[:40]!r} (years {FIRST_YEAR} to "
                          f"{LAST_YEAR} are accepted)")
    return moment


def parse_record(record: object, zone: zoneinfo.ZoneInfo) -> ArticleRecord:
    """Check a decoded JSON value and return the article it describes."""
    if not isinstance(record, dict):
        raise RecordError(f"a record must be a JSON object, not {type(record).__name__}")
    # The checks run in this order so that a record with several faults always names the same one.
    body_html = _string(record, "body_html", limit=MAX_BODY)
    body = body_html or _string(record, "body", required=True, limit=MAX_BODY)
    status = _status(record)
    original_url = _original_url(record)
    sources = _strings(record, "sources") or _strings(record, "source")
    labels = _labels(record)
    parsed = ArticleRecord(
        external_id=_string(record, "id", required=True, limit=MAX_ID),
        headline=_string(record, "title", required=True, limit=MAX_TITLE),
        body=body,
        body_is_html=bool(body_html),
        standfirst=_string(record, "standfirst"),
        section=_string(record, "section", limit=500),
        published_at=_timestamp(record, "published", zone),
        updated_at=_timestamp(record, "updated", zone),
        status=status,
        sources=sources,
        authors=_strings(record, "authors"),
        labels=labels,
        places=_strings(record, "places"),
        dateline=_string(record, "dateline", limit=200),
        original_url=original_url,
        fingerprint=_fingerprint(record),
        photos=_photos(record),
    )
    if body_html:
        return parsed
    dateline, body = dateline_and_body(parsed.dateline, parsed.body)
    return replace(parsed, dateline=dateline, body=body)


def _photos(record: dict) -> tuple[dict, ...]:
    photos = record.get("photos")
    if photos is None:
        return ()
    if not isinstance(photos, list) or not all(isinstance(p, dict) for p in photos):
        raise RecordError("'photos' must be a list of {\"file\" or \"url\": ...} objects")
    if len(photos) > MAX_PHOTOS:
        raise RecordError(f"'photos' has {len(photos)} entries; the limit is {MAX_PHOTOS}")
    for photo in photos:
        where = [key for key in ("file", "url") if isinstance(photo.get(key), str) and photo[key]]
        if len(where) != 1:
            raise RecordError("each of 'photos' needs one 'file' or 'url' string")
        for key in ("caption", "alt", "credit"):
            if not isinstance(photo.get(key, ""), str):
                raise RecordError(f"a photo's '{key}' must be a string")
        after = photo.get("after_paragraph")
        if after is not None and (type(after) is not int or after < 0):
            raise RecordError("a photo's 'after_paragraph' must be a whole number, 0 or more")
    return tuple(photos)


def _status(record: dict) -> str:
    status = _string(record, "status") or "published"
    if status not in {"published", "draft"}:
        raise RecordError(f"'status' must be 'published' or 'draft', not {status[:30]!r}")
    return status


def _original_url(record: dict) -> str:
    original_url = _string(record, "url", limit=500)
    if original_url:
        try:
            URLValidator(schemes=["http", "https"])(original_url)
        except ValidationError:
            raise RecordError(f"'url' is not an http(s) URL: {original_url[:80]!r}") from None
    return original_url


def _labels(record: dict) -> tuple[tuple[str, str], ...]:
    """(kind, code) for every label: the label fields' codes, then the 'tags' objects' names."""
    labels = tuple(
        (kind, code) for key, kind in LABEL_FIELDS.items() for code in _strings(record, key)
    )
    return labels + _tag_labels(record.get("tags"))


def _tag_labels(tags: object) -> tuple[tuple[str, str], ...]:
    if tags is None:
        return ()
    if not isinstance(tags, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) for t in tags
    ):
        raise RecordError("'tags' must be a list of {\"name\": ..., \"kind\": ...} objects")
    labels = []
    for tag in tags:
        kind = tag.get("kind", "topic")
        if not isinstance(kind, str) or kind not in set(LABEL_FIELDS.values()):
            raise RecordError(f"tag kind {str(kind)[:30]!r} is not one of person, place, "
                              "organisation, topic")
        name = tag["name"].strip()
        _check_characters(name, "a tag name")
        labels.append((kind, name))
    return tuple(labels)


def _fingerprint(record: dict) -> str:
    # surrogatepass: a field Dateline ignores may hold anything JSON can, and the same
    # bytes as before for everything else keeps earlier imports' fingerprints valid.
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    ).hexdigest()
