"""Polling: fetch a feed by its service, parse, store, and keep its health in words.

After a failure the next poll waits BACKOFF seconds doubled for each failure in a row (at
most BACKOFF_MAX), with jitter: between half and all of it, so that feeds that failed
together do not come back together. After PAUSE_AFTER failures in a row the feed is paused
with the reason and never polled until an editor resumes it (`resume`).

A round polls hosts side by side: the due feeds are grouped by their URL's host, and up to
DATELINE_INGEST_POLL_THREADS groups are polled at once, each group's feeds one after another
in one thread, so a slow or dead outlet holds back only its own feeds (hosts.turn keeps one
request at a time per host whatever the threads). With the setting at 1 the round is serial.
On SQLite, which writes one transaction at a time, the threads take turns at the database
(`database_turn`) and only their fetching overlaps.

A round starts no new feed of a host after DATELINE_INGEST_TICK seconds: the host's others
are handed back, due now, for the next round, which comes a tick after this one ends. A host
whose every feed drips for its 30 s otherwise held the round, and with it every other feed
that came due meanwhile, for its feeds' number times 30 s (8 feeds: four minutes).
"""

import logging
import random
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, connections
from django.db.models import Q
from django.utils import timezone

from dateline.base.locks import exclusive

from . import fulltext
from .models import FailedPayload, Feed, Item
from .parsers import ParseError, ParseResult, parse
from .parsers.text import read_from
from .services import Payload, ServiceError, services
from .store import as_stored, identities, store

logger = logging.getLogger(__name__)

# Unreadable payloads kept per feed (besides the week): a feed failing every minute stays small.
FAILED_PER_FEED = 20


@dataclass
class Outcome:
    ok: bool
    created: int = 0
    changed: int = 0
    not_modified: bool = False
    error: str = ""


def backoff(failures: int) -> timedelta:
    """How long to wait after `failures` failed polls in a row: exponential, capped, jittered."""
    ceiling = min(settings.DATELINE_INGEST_BACKOFF * 2 ** min(failures - 1, 30),
                  settings.DATELINE_INGEST_BACKOFF_MAX)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def due(now: datetime | None = None):
    """Feeds to poll now: active, not paused, and never polled or due."""
    now = now or timezone.now()
    return Feed.objects.filter(active=True, paused_at__isnull=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))


def claim_due(now: datetime | None = None) -> list[Feed]:
    """Take the due feeds for this worker: their next time moves on, so no other takes them."""
    now = now or timezone.now()
    with exclusive("dateline.ingest.claim"):
        feeds = list(due(now).select_for_update())
        # A host's feeds are polled one after another: the last of them waits for all the
        # others, so each feed's lease grows with its place in its host's queue.
        for group in by_host(feeds):
            for place, feed in enumerate(group, start=1):
                lease = settings.DATELINE_INGEST_TOTAL_TIMEOUT * 4 * place
                Feed.objects.filter(pk=feed.pk).update(
                    next_poll_at=now + timedelta(seconds=lease))
    return feeds


def poll_due(now: datetime | None = None) -> list[tuple[Feed, Outcome]]:
    """Poll every feed that is due, hosts side by side (see the module's note); the outcomes
    come in the order the feeds were claimed."""
    feeds = claim_due(now)
    # Hosts that answered last time first: four dripping outlets took every thread, and the
    # healthy hosts queued behind them polled one feed a round.
    groups = sorted(by_host(feeds), key=lambda group: any(feed.failures for feed in group))
    ends = time.monotonic() + settings.DATELINE_INGEST_TICK
    threads = min(settings.DATELINE_INGEST_POLL_THREADS, len(groups))
    outcomes = {}
    if threads <= 1:  # one host, or a serial round: no thread needed
        for group in groups:
            outcomes.update(zip([feed.pk for feed in group], _poll_host(group, ends),
                                strict=True))
    else:
        with ThreadPoolExecutor(threads, thread_name_prefix="ingest-poll") as pool:
            polled = pool.map(_poll_group, groups, [ends] * len(groups))
            for group, done in zip(groups, polled, strict=True):
                outcomes.update(zip([feed.pk for feed in group], done, strict=True))
    # The feeds handed back are polled next round: no outcome yet.
    return [(feed, outcomes[feed.pk]) for feed in feeds if outcomes[feed.pk] is not None]


def by_host(feeds: list[Feed]) -> list[list[Feed]]:
    """The feeds grouped by their URL's host (lower case); a feed with no host (a folder) is a
    group of its own. Within a host, the feeds that answered last time first, then those that
    have waited longest: in the feeds' own order, two dripping feeds named first took the
    host's whole round every time, and the feeds after them, handed back, were never polled
    (13 minutes and counting, seen with six)."""
    groups: dict[str, list[Feed]] = {}
    alone = []
    for feed in feeds:
        if host := urlsplit(feed.url).hostname:  # lower case already
            groups.setdefault(host, []).append(feed)
        else:
            alone.append([feed])
    return [*(sorted(group, key=_turn) for group in groups.values()), *alone]


def _turn(feed: Feed) -> tuple:
    waited_since = feed.last_polled_at.timestamp() if feed.last_polled_at else float("-inf")
    return (feed.failures > 0, waited_since)


def _poll_host(feeds: list[Feed], ends: float) -> list[Outcome | None]:
    """A host's feeds one after another; those not begun by `ends` are handed back (None).
    The first is always polled, so no host waits behind others for ever."""
    outcomes: list[Outcome | None] = []
    for feed in feeds:
        if outcomes and time.monotonic() >= ends:
            left = feeds[len(outcomes):]
            with database_turn():
                Feed.objects.filter(pk__in=[f.pk for f in left]).update(
                    next_poll_at=timezone.now())
            return outcomes + [None] * len(left)
        outcomes.append(poll(feed))
    return outcomes


def _poll_group(feeds: list[Feed], ends: float) -> list[Outcome | None]:
    try:
        return _poll_host(feeds, ends)
    finally:
        # As Django's own threads do: this thread's connections end with it, none left open.
        connections.close_all()


# SQLite writes one transaction at a time. A file database makes a second writer wait
# (IMMEDIATE transactions, the busy timeout), but its busy handler sleeps and gives up after
# the timeout, and the test suite's in-memory database fails it at once ("database table is
# locked"): polling threads queue here instead, and only their fetching overlaps.
_sqlite = threading.Lock()


@contextmanager
def database_turn() -> Iterator[None]:
    """Hold the database for a poll's reads and writes: only on SQLite, only between threads."""
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite:
        yield


def poll(feed: Feed) -> Outcome:
    """One poll of `feed`: never raises for anything the outlet (or the feed's form) did."""
    try:
        # A service no longer configured (or typed before the desk checked the name) fails
        # this feed, in words, not the round: the host's other feeds came after it.
        service = _service(feed.service)()
        fetched = service.fetch(feed)
    except ServiceError as exc:
        error, wait = str(exc), exc.retry_after
    except Exception as exc:  # a bug must not stop the worker's other feeds
        logger.exception("Polling feed %s failed", feed.pk)
        error, wait = f"Dateline failed while fetching ({type(exc).__name__}); see the log", None
    else:
        try:
            read = [read_payload(feed, payload) for payload in fetched.payloads]
        except Exception as exc:  # the same: a bug while reading fails this feed alone
            logger.exception("Reading feed %s failed", feed.pk)
            error, wait = (f"Dateline failed while reading ({type(exc).__name__}); see the log",
                           None)
        else:
            try:
                with database_turn():
                    return store_read(feed, service, fetched, read)
            except Exception as exc:  # the same while storing: it ended the host's polls
                logger.exception("Storing feed %s failed", feed.pk)
                error, wait = (f"Dateline failed while storing what it read "
                               f"({type(exc).__name__}); see the log", None)
    with database_turn():
        return failed(feed, error, retry_after=wait)


def _service(name: str):
    if name not in services.names():
        raise ServiceError(f"No ingest service is named \u2018{name}\u2019: choose one of "
                           f"{', '.join(services.names())} in the feed's form")
    return services.get(name)


def with_charset(content_type: str, feed: Feed) -> str:
    """The answer's type with the encoding the desk gave the feed in place of any charset its
    server named (a server's default "utf-8" over a Windows-1251 feed left the desk no way
    to read it); the feed's own XML declaration still wins."""
    if not feed.encoding:
        return content_type
    kind = content_type.split(";", 1)[0].strip() or "application/xml"
    return f"{kind}; charset={feed.encoding}"


def read_payload(feed: Feed, payload: Payload) -> tuple[Payload, ParseResult | None, str]:
    """(payload, what it gave, "") or (payload, None, why it could not be read)."""
    try:
        if payload.error:
            raise ParseError(payload.error)
        with read_from(payload.name):  # relative links are the feed's own address's
            result = parse(payload.body, content_type=with_charset(payload.content_type, feed),
                           hint=feed.parser)
    except ParseError as exc:
        return payload, None, str(exc)
    if feed.full_text:
        complete(feed, result.items)
    return payload, result, ""


def store_read(feed: Feed, service, fetched, read: list) -> Outcome:
    """Store the items read, keep what could not be read, and the feed's health."""
    outcome = Outcome(ok=True, not_modified=fetched.not_modified)
    errors, warnings = [], []
    for payload, result, error in read:
        if result is None:
            keep_failed(feed, payload, error)
            errors.append(error)
            continue
        if not result.items and result.warnings:
            # Read, but nothing in it to import: kept where the desk looks for what came to
            # nothing, in the parser's words; the feed itself answered, so it stays healthy.
            keep_failed(feed, payload, "Nothing to import: " + " ".join(result.warnings))
        warnings += [w for w in result.warnings if w not in warnings]
        stored = store(feed, result)
        outcome.created += len(stored.created)
        outcome.changed += len(stored.changed)
    if errors and len(errors) == len(fetched.payloads):
        if service.remembers_failures:
            remember(feed, fetched)
        return failed(feed, f"The feed could not be read: {errors[0]}")
    remember(feed, fetched)
    if not fetched.not_modified:  # a 304 read nothing: the last warnings still stand
        feed.last_warnings = " ".join(warnings)[:2000]
    succeeded(feed)
    return outcome


def complete(feed: Feed, items) -> None:
    """Fill in the full text of new items that came as teasers (an opt-in per feed), for as
    long as DATELINE_INGEST_FULL_TEXT_SECONDS allows; the others keep their teasers. A known
    item whose teaser has not changed keeps the full text fetched before: given its teaser
    again, the next poll stored that as a new version, and the full text was gone."""
    with database_turn():
        keys = as_stored(feed, items, identities(items))
        known = {key: (summary, body) for key, summary, body in Item.objects.filter(
            feed=feed, identity__in=keys).values_list("identity", "summary", "body")}
    wanted = []
    for key, parsed in zip(keys, items, strict=True):
        if not parsed.link or not fulltext.is_teaser(parsed.body, parsed.summary):
            continue
        if key not in known:
            wanted.append(parsed)
        elif known[key][0] == parsed.summary:
            parsed.body = known[key][1]
    ends = time.monotonic() + settings.DATELINE_INGEST_FULL_TEXT_SECONDS
    for done, parsed in enumerate(wanted):
        if time.monotonic() > ends:
            logger.warning("feed %s: full text fetched for %d new items in %g s; %d keep "
                           "their teasers", feed.pk, done,
                           settings.DATELINE_INGEST_FULL_TEXT_SECONDS, len(wanted) - done)
            return
        parsed.body = fulltext.full_text(parsed.link) or parsed.body


def remember(feed: Feed, fetched) -> None:
    feed.etag, feed.last_modified = fetched.etag[:500], fetched.last_modified[:100]


def succeeded(feed: Feed) -> None:
    now = timezone.now()
    feed.last_polled_at = feed.last_success_at = now
    feed.failures = 0
    feed.next_poll_at = now + timedelta(seconds=feed.poll_interval)
    feed.save(update_fields=["etag", "last_modified", "last_polled_at", "last_success_at",
                             "failures", "next_poll_at", "last_warnings"])


def failed(feed: Feed, error: str, retry_after: int | None = None) -> Outcome:
    """Record a failure in words; back off (at least as long as the outlet asked, within
    BACKOFF_MAX: a 429 or 503 polled again a minute later gets an agency blocked), or pause
    after too many in a row."""
    now = timezone.now()
    feed.failures += 1
    feed.last_polled_at = feed.last_error_at = now
    feed.last_error = error
    if feed.failures >= settings.DATELINE_INGEST_PAUSE_AFTER:
        feed.paused_at, feed.next_poll_at = now, None
        # Shown after "Paused 1 hour ago: ", so it does not say "Paused" again.
        feed.paused_reason = (f"{feed.failures} failed polls in a row: "
                              f"{error[:1].lower()}{error[1:]}")
        logger.warning("Feed %s (%s) paused: %s", feed.pk, feed.name, feed.paused_reason)
    else:
        most = settings.DATELINE_INGEST_BACKOFF_MAX
        if (retry_after or 0) > most:  # the desk shows what will happen, not only what was asked
            feed.last_error = f"{error}; polled again in {most / 3600:g} h at the most"
        asked = timedelta(seconds=min(retry_after or 0, most))
        feed.next_poll_at = now + max(backoff(feed.failures), asked)
    feed.save(update_fields=["etag", "last_modified", "failures", "last_polled_at",
                             "last_error_at", "last_error", "paused_at", "paused_reason",
                             "next_poll_at"])
    return Outcome(ok=False, error=error)


def resume(feed: Feed, user=None) -> None:
    """An editor's resumption of a paused feed: polled at the worker's next look."""
    Feed.objects.filter(pk=feed.pk).update(paused_at=None, paused_reason="", failures=0,
                                           next_poll_at=timezone.now())
    feed.refresh_from_db()
    logger.info("Feed %s (%s) resumed by %s", feed.pk, feed.name, user or "the system")


def keep_failed(feed: Feed, payload: Payload, error: str) -> None:
    """Keep what could not be read (its first bytes), a bounded number per feed."""
    FailedPayload.objects.create(
        feed=feed, error=error, content_type=payload.content_type[:200],
        payload=payload.body[:settings.DATELINE_INGEST_FAILED_PAYLOAD_BYTES])
    old = FailedPayload.objects.filter(feed=feed).order_by("-received_at", "-pk")[FAILED_PER_FEED:]
    FailedPayload.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()


def items_per_day(feed: Feed, days: int = 7) -> float:
    """New items a day over the last `days` days, for the desk's health column."""
    since = timezone.now() - timedelta(days=days)
    return Item.objects.filter(feed=feed, first_seen_at__gte=since).count() / days
