"""One sender's beacons for one story count a few times a half-hour, not a thousand.

A script that POSTs /r/view/<id> in a loop would put any story at the top of "Most read". Each
process keeps, in memory only, how many beacons of each (sender's network, kind, key) it
counted in the current and the previous window of DATELINE_READERSHIP_REPEAT_SECONDS; beyond
DATELINE_READERSHIP_REPEATS a beacon is answered as any other and not counted. A reader who
reloads a story a few times still counts each time.

Nothing about the sender is written anywhere: the entries are keyed by a keyed hash (BLAKE2b
with a random key of this process's, never stored), hold no address, and are forgotten two
windows later or when the process ends. The network (an IPv4 address, an IPv6 /64) is the
base's client_network, so an IPv6 reader cannot escape by changing addresses within it.
"""

import hashlib
import os
import threading
import time

from django.conf import settings

# A page shows one story but up to five ad slots, which may all hold one campaign (a house ad):
# an impression's allowance is this many times a view's.
PER_PAGE = {"impression": 5}
# Senders kept at most per window: a flood of distinct senders (or of made-up story ids) is
# bounded in memory. A full window starts the next one early, the full one kept as the
# previous: once full it counted every beacon after, unlimited, for the rest of the window
# (one sender filled it with made-up ids in seconds, then counted as often as it liked).
# Forgetting a sender's counts now takes two windows' worth of beacons for each allowance.
MOST_SENDERS = 200_000

_lock = threading.Lock()
_secret = os.urandom(16)
_started = time.monotonic()
_current: dict[bytes, int] = {}
_previous: dict[bytes, int] = {}


def allowed(network: str, kind: str, key: str) -> bool:
    """Whether this beacon still counts; counts it against the sender's allowance."""
    global _started, _current, _previous
    most = settings.DATELINE_READERSHIP_REPEATS * PER_PAGE.get(kind, 1)
    if not most:
        return True  # no limit set
    digest = hashlib.blake2b(f"{network}\0{kind}\0{key}".encode(), key=_secret,
                             digest_size=8).digest()
    now = time.monotonic()
    with _lock:
        if now - _started >= settings.DATELINE_READERSHIP_REPEAT_SECONDS:
            _previous, _current, _started = _current, {}, now
        seen = _current.get(digest, 0)
        if seen + _previous.get(digest, 0) >= most:
            return False
        if not seen and len(_current) >= MOST_SENDERS:
            _previous, _current, _started = _current, {}, now
        _current[digest] = seen + 1
        return True


def forget() -> None:
    """Start afresh (tests)."""
    global _current, _previous
    with _lock:
        _current, _previous = {}, {}
