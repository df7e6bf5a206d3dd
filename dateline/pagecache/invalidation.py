"""Turn changes in the newsroom into invalidated keys, once the transaction has committed."""

import logging
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from dateline.base.cachefailure import log_failure, shared_cache_answering
from dateline.base.errors import in_words
from dateline.newsroom.models import Article, Author, Section, Source, Tag
from dateline.newsroom.signals import (
    articles_bulk_changed,
    database_replaced,
    embargo_released,
)

from . import keys, store

logger = logging.getLogger(__name__)


def article_keys(article: Article, *, related: bool = True) -> set[str]:
    """The article's page, the listings it belongs to now, and every page that lists it;
    without its tags' and authors' pages when not `related`."""
    found = {keys.article(article.pk), keys.HOME}
    if article.section_id:
        section = Section.objects.filter(pk=article.section_id).only("path").first()
        if section is not None:
            found.update(
                keys.section(pk)
                for pk in Section.objects.filter(path__in=section.ancestor_paths())
                .values_list("pk", flat=True)
            )
    if article.pk and related:
        found.update(keys.tag(pk) for pk in article.tags.values_list("pk", flat=True))
        found.update(keys.author(pk) for pk in article.authors.values_list("pk", flat=True))
    return found


def invalidate_on_commit(found: set[str]) -> None:
    """Invalidate these keys after the commit, in one go with every other key the transaction
    names (the story's pages, the live strip, related lists): each invalidation moves the
    generation, and a page rendered between two of them is refused and rendered again."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        invalidate(found)
        return
    connection.__dict__.setdefault(_PENDING, set()).update(found)
    # A hook each time, not one per transaction: the first to run takes every pending key and
    # the rest find none. Looking for an earlier hook instead missed one registered inside a
    # savepoint rolled back since, or outside a block whose hooks are run on their own (a
    # test's captured callbacks).
    transaction.on_commit(_invalidate_pending)


_PENDING = "pagecache_pending_keys"


def _invalidate_pending() -> None:
    pending = transaction.get_connection().__dict__.pop(_PENDING, set())
    if pending:
        invalidate(pending)


# Keys this process could not invalidate (the cache did not answer): the pages stored before
# the outage still name their old versions and would be served, unchanged, until they expire.
# Invalidated with the next invalidation the cache takes, or as soon as it answers again.
_lost: set[str] = set()
LOST_KEPT = 10_000
# When the cache answers again, each process also renews the pages of the stories saved since
# the outage began (by any process: another worker, an import that has ended since), the
# newest this many, from a little before (app servers' clocks differ).
CHANGED_SINCE_OUTAGE = 200
CLOCK_MARGIN_S = 60


# Lost keys are tried again this often until the cache takes them: a cache folder that could
# not be written for a while (a full disk, a permission) left an edited story's old page
# served until the next edit, or until it expired, five minutes on.
RETRY_LOST_S = 2.0
_retry_lock = threading.Lock()
_retry: threading.Timer | None = None


# Background work over many stories (an archive's analysis) invalidates together, this often.
GATHERED_EVERY_S = 5.0
_gathering = threading.local()


@contextmanager
def gathered():
    """Within it, this thread's invalidations are made together, once GATHERED_EVERY_S have
    passed since the last and at its end; the caller calls `due()` on what it yields between
    its steps, so that keys are not kept waiting for the next invalidation. Each invalidation
    moves the generation, and a page rendered across one is not stored: the analysis of an
    imported archive, a story a few times a second for three quarters of an hour, left costly
    pages (a 1.4 MB sitemap, 0.9 s) stored almost never, and rendered for every reader. Not for
    editors' changes: a reader sees those at once. Within another, it is that one."""
    if getattr(_gathering, "keys", None) is not None:
        yield _Gathering
        return
    _gathering.keys, _gathering.last = set(), time.monotonic()
    try:
        yield _Gathering
    finally:
        kept = _gathering.keys
        del _gathering.keys
        if kept:
            invalidate(kept)


class _Gathering:
    @staticmethod
    def due() -> None:
        """Invalidate what was gathered, if GATHERED_EVERY_S have passed since the last time."""
        invalidate(set())


def invalidate(found: set[str], *, again: bool = False) -> None:
    """Invalidate, and if the cache cannot be reached say so loudly: the change is saved, and
    the keys are invalidated once the cache takes them (tried every RETRY_LOST_S, and as soon
    as a shared cache answers again), or the pages expire within DATELINE_PAGE_CACHE_TIMEOUT
    if this process ends first. `again`: the retry, which says only that it succeeded."""
    gathering = getattr(_gathering, "keys", None)
    if gathering is not None and not again:
        gathering.update(found)
        if time.monotonic() - _gathering.last < GATHERED_EVERY_S or not gathering:
            return
        found, _gathering.keys, _gathering.last = gathering, set(), time.monotonic()
    named = set(found) | _lost
    try:
        store.invalidate(named)
    except Exception:
        if not again:
            log_failure(logger, "page cache unavailable; could not invalidate %s",
                        sorted(found), level=logging.ERROR, when_away=logging.ERROR)
        if len(_lost) < LOST_KEPT:
            _lost.update(found)
        _retry_soon()
    else:
        if again and named:
            logger.warning("page cache writable again; invalidated the %d keys it had missed",
                           len(named))
        _lost.difference_update(named)


def _retry_soon() -> None:
    global _retry
    with _retry_lock:
        if _retry is None:
            _retry = threading.Timer(RETRY_LOST_S, _retry_lost)
            _retry.daemon = True
            _retry.start()


def _retry_lost() -> None:
    global _retry
    with _retry_lock:
        _retry = None
    if _lost:
        invalidate(set(), again=True)


@receiver(shared_cache_answering)
def invalidate_lost(sender, away_since: float, **kwargs) -> None:
    since = datetime.fromtimestamp(away_since - CLOCK_MARGIN_S, UTC)
    try:
        changed = list(Article.objects.filter(modified_at__gte=since)
                       .order_by("-modified_at")[:CHANGED_SINCE_OUTAGE])
        found = set().union(*(article_keys(article) for article in changed))
    except Exception as error:  # the database away too: what this process kept is written
        logger.warning("stories saved during the outage not read (%s)", in_words(error))
        changed, found = [], set()
    if _lost or found:
        logger.warning("page cache answering again; invalidating %d keys it missed, and those "
                       "of the stories saved during the outage: %d", len(_lost), len(changed))
        invalidate(found)


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance: Article, created: bool = False, **kwargs) -> None:
    # A story just made has no tags or authors yet: they are added after it, and m2m_changed
    # names their pages then (two queries fewer for every story made).
    invalidate_on_commit(article_keys(instance, related=not created))


@receiver(embargo_released)
def embargo_ended(sender, article: Article, **kwargs) -> None:
    invalidate(article_keys(article))


@receiver(m2m_changed, sender=Article.tags.through)
@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.sources.through)
def article_relations_changed(sender, instance, action: str, model, pk_set, **kwargs) -> None:
    if not action.startswith("post_") or not isinstance(instance, Article):
        return
    found = article_keys(instance)
    if model is Tag:
        found.update(keys.tag(pk) for pk in pk_set or ())
    elif model is Author:
        found.update(keys.author(pk) for pk in pk_set or ())
    invalidate_on_commit(found)


@receiver([post_save, post_delete], sender=Tag)
def tag_changed(sender, instance: Tag, **kwargs) -> None:
    invalidate_on_commit({keys.tag(instance.pk)})


@receiver([post_save, post_delete], sender=Author)
def author_changed(sender, instance: Author, **kwargs) -> None:
    invalidate_on_commit({keys.author(instance.pk)})


@receiver([post_save, post_delete], sender=Source)
def source_changed(sender, instance: Source, **kwargs) -> None:
    invalidate_on_commit({keys.source(instance.pk)})


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, **kwargs) -> None:
    # Every page shows the section menu and breadcrumbs.
    invalidate_on_commit({keys.NAV})


@receiver(articles_bulk_changed)
def bulk_changed(sender, **kwargs) -> None:
    invalidate_on_commit({keys.NAV})


@receiver(database_replaced)
def everything_replaced(sender, **kwargs) -> None:
    """Every page and part, and what is kept by a key of its own: the section tree (`nav`),
    the live strip, the editions' pages, the sitemaps."""
    invalidate({keys.EVERYTHING, keys.NAV, keys.HOME, keys.TICKER, keys.BREAKING,
                keys.EDITIONS, keys.SITEMAPS})
