"""Settings read from the environment, refused in words when they cannot be what they name.

`int(os.environ.get(...))` answers "PORT=abc" with a Python traceback that starts in Django's
settings loader, and a misspelt choice ("DATELINE_DB_ENGINE=postgres") was taken as the
default: a production site wrote its stories to a fresh SQLite file. Each reader here names
the variable and what it takes (ImproperlyConfigured), which the `dateline` command prints as
one line (dateline/cli.py). Plain Python, no Django app: settings import it before any app.
"""

import logging
import math
import os
import zoneinfo

from django.core.exceptions import ImproperlyConfigured


def whole_number(name: str, default: int, least: int | None = None) -> int:
    """The variable as a whole number (`default` when unset or empty), at least `least`."""
    value, _ = _converted(name, int, "a whole number")
    if value is None:
        return default
    if least is not None and value < least:
        raise ImproperlyConfigured(f"{name} must be {least} or more, not {value}.")
    return value


def number(name: str, default: float, least: float | None = None) -> float:
    """The variable as a number such as 0.5 or 15 (`default` when unset or empty)."""
    value, raw = _converted(name, float, "a number")
    if value is None:
        return default
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number, not {raw!r}.")
    if least is not None and value < least:
        raise ImproperlyConfigured(f"{name} must be {least:g} or more, not {raw}.")
    return value


def _converted(name: str, convert, what: str):
    """(the variable converted, as written), or (None, "") when unset or empty."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None, raw
    try:
        return convert(raw), raw
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {what}, not {raw!r}.") from None


def one_of(name: str, default: str, choices: tuple[str, ...]) -> str:
    """The variable as one of `choices` (`default` when unset or empty), case as written."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        listed = " or ".join(repr(c) for c in choices)
        raise ImproperlyConfigured(f"{name} must be {listed}, not {raw!r}.")
    return raw


def time_zone(name: str, default: str) -> str:
    """The variable as an IANA time zone name ("Europe/Sofia"), as Django's TIME_ZONE takes."""
    raw = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be a time zone such as 'Europe/Sofia', not {raw!r}.") from None
    return raw


def clock_time(name: str, default: str) -> str:
    """The variable as a time of day, "HH:MM" on the 24-hour clock ("07:00")."""
    raw = os.environ.get(name, "").strip() or default
    hours, colon, minutes = raw.partition(":")
    if not (colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2
            and int(hours) < 24 and int(minutes) < 60):
        raise ImproperlyConfigured(f"{name} must be a time of day such as '07:00', not {raw!r}.")
    return f"{int(hours):02}:{minutes}"


def log_level(name: str, default: str) -> str:
    """The variable as one of the logging module's level names (DEBUG, INFO, WARNING or
    WARN, ERROR, CRITICAL or FATAL, NOTSET)."""
    raw = os.environ.get(name, "").strip().upper() or default
    if raw not in logging.getLevelNamesMapping():
        raise ImproperlyConfigured(
            f"{name} must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not {raw!r}.")
    return raw
