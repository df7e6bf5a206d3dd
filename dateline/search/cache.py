"""Keep the results of identical public searches in a shared cache until a story changes.

The key is the search as it runs (the parsed, bounded query in one spelling, its filters,
order and page) under a generation that every change to a story renews once it commits:
older entries are then never read again and expire by themselves. A search the database
budget stopped is remembered too, so a costly query sent again costs nothing.
"""

import hashlib
import json
import logging
import uuid
from contextlib import nullcontext

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from dateline.base.cachefailure import log_failure, shared_cache_answering
from dateline.db import limits
from dateline.newsroom.models import Article, Section
from dateline.newsroom.signals import (
    articles_bulk_changed,
    database_replaced,
    embargo_released,
)

from .backends import SearchQuery, SearchResults, get_backend
from .query import parse

GENERATION = "search:gen"
_STOPPED = "stopped"
logger = logging.getLogger(__name__)


class SearchTooCostly(Exception):
    """The database budget for public reads stopped this search (now, or when first sent)."""


def _cache():
    return caches[settings.DATELINE_SEARCH_CACHE]


def generation() -> str:
    """Renewed by every change to a story, once it commits."""
    cache = _cache()
    value = cache.get(GENERATION)
    if value is None:
        # A fresh value, never a counter from zero: entries of a lost generation stay unread.
        cache.add(GENERATION, uuid.uuid4().hex, None)
        value = cache.get(GENERATION)
    return value


def key(query: SearchQuery) -> str:
    """The cache key of a reader's search: equal for searches that run the same."""
    spelled = [str(parse(query.text)), query.section_id, query.tag_id, query.author_id,
               str(query.date_from), str(query.date_to), query.newest_first, query.page,
               query.per_page, query.facets,
               query.until.isoformat() if query.until else None]
    digest = hashlib.sha256(json.dumps(spelled).encode()).hexdigest()[:32]
    return f"search:{generation()}:{digest}"


def search(query: SearchQuery) -> SearchResults:
    """The backend's results, from the cache when this search ran since the last change."""
    if not query.live_only:  # the desk sees drafts that change without a reader's notice
        return get_backend().search(query)
    try:
        cache_key = key(query)
        found = _cache().get(cache_key)
    except Exception:  # an unreachable cache costs speed, never the answer
        log_failure(logger, "search cache unavailable")
        return _search_or_raise(query)
    if found == _STOPPED:
        raise SearchTooCostly
    if found is None:
        try:
            found = _search_or_raise(query)
        except SearchTooCostly:
            _store(cache_key, _STOPPED)
            raise
        _store(cache_key, found)
    return found


def _search_or_raise(query: SearchQuery) -> SearchResults:
    backend = get_backend()
    # Inside a transaction, a savepoint: on PostgreSQL a cancelled statement would otherwise
    # leave it unusable for the rest of the page. Outside, none: a transaction of its own
    # would take SQLite's write lock (transaction_mode IMMEDIATE) for a read.
    in_transaction = transaction.get_connection(backend.database).in_atomic_block
    savepoint = transaction.atomic(using=backend.database) if in_transaction else nullcontext()
    try:
        with savepoint:
            return backend.search(query)
    except DatabaseError as exc:
        if limits.stopped(exc):
            raise SearchTooCostly from exc
        raise


def _store(cache_key: str, value: object) -> None:
    try:
        _cache().set(cache_key, value, settings.DATELINE_SEARCH_CACHE_TIMEOUT)
    except Exception:
        log_failure(logger, "search cache unavailable")


def renew() -> None:
    """Forget every cached search (they are left to expire)."""
    global _renewal_lost
    try:
        _cache().set(GENERATION, uuid.uuid4().hex, None)
    except Exception:
        # The change is saved; searches show it once the cache answers again (or once their
        # entries expire, if this process ends first).
        log_failure(logger, "search cache unavailable; results may be stale for %s s",
                    settings.DATELINE_SEARCH_CACHE_TIMEOUT, level=logging.ERROR,
                    when_away=logging.ERROR)
        _renewal_lost = True
    else:
        _renewal_lost = False


_renewal_lost = False


@receiver(shared_cache_answering)
def renew_if_lost(sender, **kwargs) -> None:
    if _renewal_lost:
        renew()


def renew_on_commit(*args, **kwargs) -> None:
    transaction.on_commit(renew)


# What a search returns or counts: the stories, their visibility, their tags, authors and
# sections (facets and filters). Renewed after the commit, so no search caches the old state
# under the new generation.
post_save.connect(renew_on_commit, sender=Article, dispatch_uid="search.cache.article_saved")
post_delete.connect(renew_on_commit, sender=Article, dispatch_uid="search.cache.article_deleted")
post_save.connect(renew_on_commit, sender=Section, dispatch_uid="search.cache.section_saved")
post_delete.connect(renew_on_commit, sender=Section, dispatch_uid="search.cache.section_deleted")
articles_bulk_changed.connect(renew_on_commit, dispatch_uid="search.cache.bulk")
database_replaced.connect(renew_on_commit, dispatch_uid="search.cache.restore")


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="search.cache.tags")
@receiver(m2m_changed, sender=Article.authors.through, dispatch_uid="search.cache.authors")
def relations_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        renew_on_commit()


@receiver(embargo_released, dispatch_uid="search.cache.embargo")
def embargo_ended(sender, **kwargs) -> None:
    renew()
