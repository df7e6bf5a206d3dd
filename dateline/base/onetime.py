"""One-time keys of form pages: the same page sent twice is one thing, not two.

A page that creates something (a reader's report, a new story on the desk) carries a random
key in a hidden field; what it creates is stored with the key under a unique constraint. A
double click, or a POST the browser sends again, then finds the key taken and answers with
what the first send created, also when both arrive at the same moment.
"""

import re
import secrets

from django.db import models

# What `new_key` makes: 32 random letters, digits, "-" and "_" (and a little room).
KEY = re.compile(r"[A-Za-z0-9_-]{32,43}")
MAX_LENGTH = 43


def new_key() -> str:
    """A form page's one-time key."""
    return secrets.token_urlsafe(24)


def sent_key(sent: str | None) -> str | None:
    """The page's key as sent, if it is one `new_key` made (else: a page without one)."""
    return sent if isinstance(sent, str) and KEY.fullmatch(sent) else None


def sent_with_field() -> models.CharField:
    """The column a created row keeps its page's key in: unique, so two sends at once are one."""
    return models.CharField(max_length=MAX_LENGTH, null=True, blank=True, unique=True,
                            editable=False)
