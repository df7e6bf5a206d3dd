"""What a photo's own file says about it: IPTC IIM, XMP and EXIF, read from the header only.

Agencies write the same words into several blocks. XMP wins over IPTC IIM where both hold a
field: XMP is always Unicode and has no length caps (IIM cuts a caption at 2,000 bytes and a
by-line at 32), and since IPTC's 2008 guidance tools write XMP first and IIM as a copy. EXIF
comes last: cameras fill it with defaults ("OLYMPUS DIGITAL CAMERA"), newsrooms rarely edit it.

Nothing here trusts the file: XMP is parsed with defusedxml (no entities, no external
references), every text is trimmed and bounded, and GPS never leaves this module.
"""

import contextlib
import datetime as dt
import math
from pathlib import Path

from defusedxml import ElementTree
from django.utils import timezone
from PIL import ExifTags, Image, IptcImagePlugin

from dateline.base.graphemes import clipped

from .decode import OPENERS
from .models import Photo

FIELDS = ("title", "caption", "alt_text", "creator", "credit", "source", "copyright_notice",
          "usage_terms", "instructions")
MAX_KEYWORDS = 30
_MAX_XMP = 1024 * 1024
_NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
}
# Our field: the XMP properties that hold it, best first.
_XMP = {
    "title": ["dc:title", "photoshop:Headline"],
    "caption": ["dc:description"],
    "alt_text": ["Iptc4xmpCore:AltTextAccessibility"],
    "creator": ["dc:creator"],
    "credit": ["photoshop:Credit"],
    "source": ["photoshop:Source"],
    "copyright_notice": ["dc:rights"],
    "usage_terms": ["xmpRights:UsageTerms"],
    "instructions": ["photoshop:Instructions"],
    "taken_at": ["photoshop:DateCreated"],
    "keywords": ["dc:subject"],
    "extended_description": ["Iptc4xmpCore:ExtDescrAccessibility"],
}
# IPTC IIM record 2 datasets: object name, headline, caption, by-line, credit, source, rights,
# special instructions.
_IIM = {"title": [(2, 5), (2, 105)], "caption": [(2, 120)], "creator": [(2, 80)],
        "credit": [(2, 110)], "source": [(2, 115)], "copyright_notice": [(2, 116)],
        "instructions": [(2, 40)], "keywords": [(2, 25)]}
_EXIF = {"caption": 0x010E, "creator": 0x013B, "copyright_notice": 0x8298}
# EXIF kept in `embedded`, by name: the camera, never where it was (GPS) or who owns it.
_EXIF_KEPT = {"Make", "Model", "Software", "DateTime", "ImageDescription", "Artist",
              "Copyright", "Orientation"}
_EXIF_PHOTO_KEPT = {"DateTimeOriginal", "ExposureTime", "FNumber", "ISOSpeedRatings",
                    "FocalLength", "LensModel"}


def read_metadata(path_or_file) -> dict:
    """The photo's words as Photo's fields (empty where the file says nothing), plus
    "keywords" (a list) and "embedded" (everything read, by block, without GPS)."""
    if isinstance(path_or_file, (str, Path)):
        with open(path_or_file, "rb") as handle:
            return read_metadata(handle)
    path_or_file.seek(0)
    try:
        image = Image.open(path_or_file, formats=OPENERS)
    except Exception:
        return _result({}, {}, {})
    with image:
        return _result(*(_quietly(block, image) for block in (_iim, _xmp, _exif)))


def _quietly(read, image: Image.Image) -> dict:
    """A block's words, or none: a file's metadata, whatever it holds, never refuses a photo
    nor stops an import (a repeated IIM field, a list where a value was expected, was a 500)."""
    try:
        return read(image)
    except Exception:
        return {}


def _result(iim: dict, xmp: dict, exif: dict) -> dict:
    out = {}
    for field in FIELDS:
        value = xmp.get(field) or iim.get(field) or exif.get(field) or ""
        out[field] = _bounded(value, Photo._meta.get_field(field).max_length)
    out["taken_at"] = next(filter(None, (_on_the_calendar(block.get("taken_at"))
                                         for block in (xmp, iim, exif))), None)
    keywords = xmp.get("keywords") or iim.get("keywords") or []
    out["keywords"] = list(dict.fromkeys(k for k in (_bounded(k, 100) for k in keywords) if k))[
        :MAX_KEYWORDS]
    embedded = {name: _jsonable(block) for name, block in
                (("xmp", xmp), ("iptc", iim), ("exif", exif)) if block}
    out["embedded"] = embedded
    return out


def _on_the_calendar(moment: dt.datetime | None) -> dt.datetime | None:
    """The time in UTC, or None where UTC falls off the calendar ("9999-12-31T23:59:59-05:00"
    is in year 10000 there): no database column could hold it, and saving would fail."""
    try:
        return moment.astimezone(dt.UTC) if moment else None
    except OverflowError:
        return None


def _bounded(value: str, max_length: int | None) -> str:
    """The text trimmed, without control characters a form could not show, within the field."""
    value = "".join(c for c in str(value) if c.isprintable() or c in "\n\t").strip()
    return clipped(value, max_length).rstrip() if max_length else value


def _jsonable(value):
    """The value fit for a JSON column on any database: no NUL (PostgreSQL refuses it in
    jsonb), no NaN (not JSON), no text longer than a caption."""
    if isinstance(value, dict):
        return {str(k)[:100]: _jsonable(v) for k, v in list(value.items())[:100]}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value[:MAX_KEYWORDS]]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (bool, int)) or value is None:
        return value
    return _bounded(value, 2000)


def _iim(image: Image.Image) -> dict:
    try:
        info = IptcImagePlugin.getiptcinfo(image) or {}
    except Exception:  # a malformed IIM block says nothing we can use
        return {}
    marker = info.get((1, 90))  # the character set, repeated in some files: a list then
    marker = marker[0] if isinstance(marker, list) and marker else marker
    charset = ("utf-8" if isinstance(marker, bytes) and marker.startswith(b"\x1b%G")
               else "latin-1")

    def decoded(value: bytes) -> str:
        try:
            return value.decode(charset).strip()
        except UnicodeDecodeError:  # declared UTF-8 and not: its letters, not "\ufffd"s
            return value.decode("latin-1").strip()

    def texts(key):
        raw = info.get(key)
        values = raw if isinstance(raw, list) else [raw] if raw else []
        return [decoded(v) for v in values if isinstance(v, bytes)]

    out = {}
    for field, keys in _IIM.items():
        for key in keys:
            found = texts(key)
            if found:
                out[field] = found if field == "keywords" else found[0]
                break
    date, time = (texts((2, 55)) or [""])[0], (texts((2, 60)) or [""])[0]
    out["taken_at"] = _iim_date(date, time)
    return {k: v for k, v in out.items() if v}


def _iim_date(date: str, time: str) -> dt.datetime | None:
    try:
        day = dt.datetime.strptime(date[:8], "%Y%m%d")
    except ValueError:
        return None
    try:
        moment = dt.datetime.strptime(time[:11], "%H%M%S%z") if len(time) >= 11 else None
    except ValueError:
        moment = None
    if moment:
        return day.replace(hour=moment.hour, minute=moment.minute, second=moment.second,
                           tzinfo=moment.tzinfo)
    return timezone.make_aware(day)


def _xmp(image: Image.Image) -> dict:
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "replace")
    if not raw or len(raw) > _MAX_XMP:
        return {}
    try:
        root = ElementTree.fromstring(raw.strip(b"\x00 \r\n\t"), forbid_dtd=True)
    except Exception:  # bad XML, or XML that tries entities or a DTD: say nothing
        return {}
    out = {}
    for field, names in _XMP.items():
        for name in names:
            values = _xmp_values(root, name)
            if values:
                out[field] = values if field == "keywords" else (
                    ", ".join(values) if field == "creator" else values[0])
                break
    if isinstance(out.get("taken_at"), str):
        out["taken_at"] = _iso_date(out["taken_at"])
    return {k: v for k, v in out.items() if v}


def _xmp_values(root, name: str) -> list[str]:
    prefix, local = name.split(":")
    tag = f"{{{_NS[prefix]}}}{local}"
    values = []
    for description in root.iter(f"{{{_NS['rdf']}}}Description"):
        attribute = description.get(tag)
        if attribute:
            values.append(attribute.strip())
    for element in root.iter(tag):
        items = list(element.iter(f"{{{_NS['rdf']}}}li"))
        if items:
            values.extend(_x_default_first(items))
        elif element.text and element.text.strip():
            values.append(element.text.strip())
    return [v for v in values if v]


def _x_default_first(items) -> list[str]:
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    ordered = sorted(items, key=lambda li: li.get(lang, "x-default") != "x-default")
    return [(li.text or "").strip() for li in ordered if (li.text or "").strip()]


def _iso_date(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value.strip()[:32])
    except ValueError:
        try:
            moment = dt.datetime.strptime(value.strip()[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _exif(image: Image.Image) -> dict:
    try:
        if image.format == "PNG":  # PNG's getexif() may decode the image to find the chunk
            exif = Image.Exif()
            if image.info.get("exif"):
                exif.load(image.info["exif"])
        else:
            exif = image.getexif()
        photo_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # a malformed EXIF block
        return {}
    out = {field: exif.get(tag) for field, tag in _EXIF.items()}
    out = {k: v.strip() for k, v in out.items() if isinstance(v, str) and v.strip()}
    taken = photo_ifd.get(0x9003)
    if isinstance(taken, str):
        with contextlib.suppress(ValueError):
            out["taken_at"] = timezone.make_aware(dt.datetime.strptime(taken.strip()[:19],
                                                                       "%Y:%m:%d %H:%M:%S"))
    kept = {}
    for tags, ifd, names in ((ExifTags.TAGS, exif, _EXIF_KEPT),
                             (ExifTags.TAGS, photo_ifd, _EXIF_PHOTO_KEPT)):
        for tag, value in ifd.items():
            name = tags.get(tag)
            if name in names:
                kept[name] = _plain(value)
    out["tags"] = {k: v for k, v in kept.items() if v not in (None, "")}
    return {k: v for k, v in out.items() if v}


def _plain(value):
    if isinstance(value, bytes):
        return None
    if isinstance(value, (int, str)):
        return value if not isinstance(value, str) else value.strip()[:200]
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)[:200]
