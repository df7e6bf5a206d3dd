"""The newsroom's signals queue analyses for the worker, once the save has committed; a
machine tag an editor took off is recorded as rejected at the save itself."""

import logging

from django.db import DatabaseError, transaction

from dateline.newsroom.models import Article

logger = logging.getLogger(__name__)


def on_article_saved(sender, article: Article, **kwargs) -> None:
    from .records import taken_off_rejected
    from .tasks import queue_analysis

    try:
        taken_off_rejected(article)
    except DatabaseError:  # the save stands; the next analysis records it (records.py)
        logger.exception("could not record the tags taken off story %s", article.pk)

    # Sent after the commit already; on_commit as well, should a caller send it inside one.
    transaction.on_commit(lambda: queue_analysis(article.pk))


def on_status_changed(sender, article: Article, previous: str = "", **kwargs) -> None:
    from .tasks import queue_analysis

    if article.status == Article.Status.PUBLISHED and previous != Article.Status.PUBLISHED:
        # Published: its related list is made again now that it is public (the archive moved
        # on since the draft), and it joins its neighbours' lists.
        transaction.on_commit(lambda: queue_analysis(article.pk, force=True, neighbours=True))


def on_bulk_changed(sender, pks=(), **kwargs) -> None:
    from .tasks import queue_batches

    ids = list(pks)
    if ids:  # sent inside the import's transaction: queued when it commits
        transaction.on_commit(lambda: queue_batches(ids))
