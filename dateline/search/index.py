"""Keep the index in step with the newsroom, inside the transaction that changes it.

The index is written synchronously (not on commit), so a rolled-back save leaves no trace
and a committed one is searchable at once. Visibility (status, publication time, embargo)
is checked when searching, so publishing or unpublishing needs no rewrite to be obeyed.
Tags, authors and sections are filtered through the ORM at query time too, so changes to
those relations (m2m_changed) leave the index as it is.

Every backend configured in DATELINE_SEARCH_BACKENDS is written, not only the default, so
any of them can answer a search at any time.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils import timezone

from dateline.base import queued
from dateline.newsroom.models import Article
from dateline.newsroom.signals import articles_bulk_changed

from .backends import indexed_backends

BULK_BATCH = 500
# After an import the worker compacts the index (`optimize`), once in this many seconds
# however many batches the import sends, starting a minute after the first.
OPTIMIZE_EVERY_SECONDS, OPTIMIZE_DELAY = 600, timedelta(seconds=60)


@receiver(post_save, sender=Article)
def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    fields = kwargs.get("update_fields")
    # Saves of status or times alone change nothing the index stores.
    if fields is not None and not {"headline", "standfirst", "teaser", "body"} & set(fields):
        return
    for backend in indexed_backends():
        backend.add(instance)


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance: Article, **kwargs) -> None:
    for backend in indexed_backends():
        backend.delete([instance.pk])


@receiver(articles_bulk_changed)
def articles_bulk_written(sender, pks=(), **kwargs) -> None:
    pks = list(pks)
    backends = indexed_backends()
    for start in range(0, len(pks), BULK_BATCH):
        batch = list(Article.objects.filter(pk__in=pks[start:start + BULK_BATCH])
                     .only("pk", "headline", "teaser", "body"))
        for backend in backends:
            backend.add_bulk(batch)
    transaction.on_commit(ask_for_optimize)


def ask_for_optimize() -> None:
    """Queue one compaction of the index for the worker (bench/README "Search": a million
    stories imported left 18 FTS5 segments, and searches took twice as long)."""
    from .tasks import OPTIMIZE_ASKED_KEY, optimize_search_index

    queued.enqueue_once(optimize_search_index, OPTIMIZE_ASKED_KEY, OPTIMIZE_EVERY_SECONDS,
                        settings.DATELINE_SEARCH_CACHE, timezone.now() + OPTIMIZE_DELAY)


@receiver(post_migrate)
def prune_after_flush(sender, **kwargs) -> None:
    # A test database flush empties the articles with SQL and sends only post_migrate.
    if sender.name == "dateline.search":
        for backend in indexed_backends():
            backend.prune()
