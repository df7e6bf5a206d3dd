"""The date rules: every time an outlet writes is read, put in UTC and judged.

Outlets write RFC 822 ("Tue, 10 Jun 2025 04:00:00 GMT", "… EST"), RFC 3339/ISO 8601 with or
without an offset, and sometimes nothing a machine can trust. A time without a zone is read
as UTC and flagged; a time in the future (beyond a few minutes of clock skew) or before 1990
is flagged and NOT trusted: its `when` is None, so the store falls back to the time it first
saw the item rather than sorting a story to the top for years (2100) or to the bottom (1970).
Flags are words an editor reads on the item.
"""

import email.utils
import re
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

NO_ZONE = "no zone"
IN_FUTURE = "in the future"
BEFORE_1990 = "before 1990"
UNREADABLE = "unreadable"
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Clocks drift and outlets round up; a few minutes ahead is skew, not a lie.
FUTURE_SLACK = timedelta(minutes=5)
MAX_DATE_LENGTH = 100

_HOUR = 3600
# Zone names outlets write that RFC 822 does not know (it knows UT, GMT, EST … PDT).
NAMED_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": _HOUR, "WEST": _HOUR, "CET": _HOUR,
    "MET": _HOUR, "CEST": 2 * _HOUR, "MEST": 2 * _HOUR, "EET": 2 * _HOUR, "EEST": 3 * _HOUR,
    "MSK": 3 * _HOUR, "IST": 5 * _HOUR + 1800, "JST": 9 * _HOUR, "AEST": 10 * _HOUR,
    "AEDT": 11 * _HOUR, "EST": -5 * _HOUR, "EDT": -4 * _HOUR, "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR, "MST": -7 * _HOUR, "MDT": -6 * _HOUR, "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
}
_ZONE_NAME = re.compile(r"\b([A-Z]{1,4})\s*$")
_RFC822_ZONE = re.compile(r"(?:[+-]\d{4}|\b[A-Za-z]{1,5})\s*$")
_RFC822 = re.compile(r"(?:[A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+"
                     r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[+-]\d{4}|[A-Za-z]{1,5}))?\s*$")
# The year as written after the month's name: "01 Jan 0025".
_RFC822_YEAR = re.compile(r"\b[A-Za-z]{3}\s+(\d{4})\b")
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


@dataclass
class JudgedDate:
    when: datetime | None = None  # aware, UTC; None when absent or not trusted
    offset: str = ""  # "+01:00" as the outlet wrote it; "" when it gave no zone
    flags: list[str] = field(default_factory=list)


def judge(value: str | None, *, now: datetime | None = None) -> JudgedDate:
    """Read an outlet's date and say whether to trust it."""
    value = " ".join((value or "").split())[:MAX_DATE_LENGTH]
    if not value:
        return JudgedDate()
    read = read_date(value)
    if read is None:
        return JudgedDate(flags=[UNREADABLE])
    judged = JudgedDate(when=read, flags=[])
    if read.tzinfo is None:
        judged.when = read.replace(tzinfo=UTC)
        judged.flags.append(NO_ZONE)
    else:
        judged.offset = format_offset(read.utcoffset() or timedelta(0))
        try:
            judged.when = read.astimezone(UTC)
        except OverflowError:  # year 1 at +01:00, or 9999-12-31 at -05:00, off the calendar
            return JudgedDate(flags=[IN_FUTURE if read.year == datetime.max.year
                                     else BEFORE_1990])
    now = now or datetime.now(UTC)
    if judged.when > now + FUTURE_SLACK:
        judged.flags.append(IN_FUTURE)
        judged.when = None
    elif judged.when < EARLIEST:
        judged.flags.append(BEFORE_1990)
        judged.when = None
    return judged


def read_date(value: str) -> datetime | None:
    """The datetime a string names (naive when it names no zone), or None: also when it
    names no whole date, or an offset of a day or more (+99:99), which no zone has."""
    read = _read(value)
    try:
        if read is not None and read.tzinfo is not None:
            read.utcoffset()  # dateutil keeps an impossible offset; using it raises
    except ValueError:
        return None
    return read


def _read(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)  # RFC 3339 and most of ISO 8601
    except ValueError:
        pass
    # RFC 822/1123 and the US zone names; only what has that shape: parsedate_tz reads
    # "June 10, 2025 4:00 PM EST" as 04:00 UTC, dropping the PM and the zone.
    parsed = email.utils.parsedate_tz(value) if _RFC822.match(value) else None
    if parsed is not None and not _names_unknown_zone(value):
        written = _RFC822_YEAR.search(value)
        if written and int(written.group(1)) != parsed[0]:
            return None  # "0025" read as 2025: parsedate_tz takes any year under 100 as short
        try:
            naive = datetime(*parsed[:6])
            if not _RFC822_ZONE.search(value):  # parsedate_tz says +0000 when none is given
                return naive
            return naive.replace(tzinfo=timezone(timedelta(seconds=parsed[9] or 0)))
        except (ValueError, OverflowError):
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an unknown zone name: read as no zone
            # Read twice with different defaults: a part of the date the string lacks
            # ("-1", "10:00") comes from the default, and today's date is no outlet's date.
            first, second = (dateutil_parser.parse(value, tzinfos=NAMED_ZONES, default=d)
                             for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    return first if first.date() == second.date() else None


def _names_unknown_zone(value: str) -> bool:
    # parsedate_tz reads "CET" as +0000; the table above knows better.
    match = _ZONE_NAME.search(value)
    return bool(match) and match.group(1) in NAMED_ZONES and match.group(1) not in {
        "UT", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT",
    }


def format_offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"
