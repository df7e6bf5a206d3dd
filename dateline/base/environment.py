"""Settings read from the environment, refused in words when they cannot be what they name.

`int(os.environ.get(...))` answers "PORT=abc" with a Python traceback that starts in Django's
settings loader, and a misspelt choice ("DATELINE_DB_ENGINE=postgres") was taken as the
default: a production site wrote its stories to a fresh SQLite file. Each reader here names
the variable and what it takes (ImproperlyConfigured), which the `dateline` command prints as
one line (dateline/cli.py). Plain Python, no Django app: settings import it before any app.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def whole_number(name: str, default: int, least: int | None = None) -> int:
    """The variable as a whole number (`default` when unset or empty), at least `least`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if least is not None and value < least:
        raise ImproperlyConfigured(f"{name} must be {least} or more, not {value}.")
    return value


def number(name: str, default: float, least: float | None = None) -> float:
    """The variable as a number such as 0.5 or 15 (`default` when unset or empty)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):  # nan, inf
        raise ImproperlyConfigured(f"{name} must be a finite number, not {raw!r}.")
    if least is not None and value < least:
        raise ImproperlyConfigured(f"{name} must be {least:g} or more, not {raw}.")
    return value


def one_of(name: str, default: str, choices: tuple[str, ...]) -> str:
    """The variable as one of `choices` (`default` when unset or empty), case as written."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        listed = " or ".join(repr(c) for c in choices)
        raise ImproperlyConfigured(f"{name} must be {listed}, not {raw!r}.")
    return raw
