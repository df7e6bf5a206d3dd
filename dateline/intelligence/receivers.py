"""The newsroom's signals queue analyses for the worker, once the save has committed."""

from django.db import transaction

from dateline.newsroom.models import Article


def on_article_saved(sender, article: Article, **kwargs) -> None:
    from .tasks import queue_analysis

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
