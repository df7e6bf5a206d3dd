"""Background work the scheduler does at a given time, whether or not anyone visits the site.

Both tasks change articles through `Transition.execute`, as SCHEDULER, like every other move.
"""

from django.tasks import task

# A story's time to go live, or its embargo's end, comes before any other work the worker has
# queued (a story's analysis, a photo's renditions, an import's backlog): those run first in,
# first out at priority 0 or below, and a scheduled story waited behind them.
SCHEDULER_PRIORITY = 50


@task(priority=SCHEDULER_PRIORITY)
def release_due_articles() -> list[int]:
    """Publish the scheduled articles whose time has come."""
    from .actions import release_due

    return release_due()


@task(priority=SCHEDULER_PRIORITY)
def release_embargo(article_id: int) -> bool:
    """Record and announce the end of an article's embargo, if it has really ended."""
    from .actions import SCHEDULER, ActionRefused, EmbargoEnds
    from .models import Article

    try:
        # execute locks the row by its key: the article itself is read under the lock.
        EmbargoEnds().execute(SCHEDULER, Article(pk=article_id))
    except Article.DoesNotExist:
        return False  # deleted since it was embargoed
    except ActionRefused:
        return False  # lifted by hand, or moved later: its own task will come
    return True
