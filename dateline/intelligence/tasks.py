"""The worker's analyses: a saved story, a published one (and its neighbours), an import.

Never inside the editor's request: receivers.py queues these when the save commits, and
`dateline worker` runs them.
"""

import logging
import os
import threading

from django.tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)

# An import's stories are analysed in batches behind everything else the worker does (a
# publish's analysis, the morning edition): a 100,000-story import must not delay them.
BATCH = 100
BULK_PRIORITY = -10


# A database that could not answer (an SQLite write held past the busy timeout, a PostgreSQL
# restart) fails no analysis for good: it is booked again, this many times, this far apart.
RETRIES = 3
RETRY_SECONDS = 30


@task()
def analyse_story(article_id: int, force: bool = False, neighbours: bool = False,
                  attempt: int = 1) -> bool:
    """Analyse one story; with `neighbours`, also refresh the related lists of the stories
    now related to it (a story just published is new to theirs)."""
    from django.db import DatabaseError

    from dateline.db.unavailable import unavailable

    try:
        return _analyse_story(article_id, force, neighbours)
    except DatabaseError as error:
        if not unavailable(error) or attempt > RETRIES:
            raise
        _again(analyse_story, error, f"story {article_id}", attempt, article_id, force=force,
               neighbours=neighbours)
        return False


def _analyse_story(article_id: int, force: bool, neighbours: bool) -> bool:
    from .pipeline import analyse, chosen_parts, refresh_related

    parts = chosen_parts()
    done = analyse(article_id, force=force, parts=parts)
    if neighbours and "ranker" in parts:
        from .models import RelatedStory

        for other in RelatedStory.objects.filter(article_id=article_id).values_list(
                "related_id", flat=True):
            refresh_related(other, parts["ranker"])
    return done


# An import's batches also yield the CPU: they run in a thread this much nicer than the
# worker, so the web workers' readers come first on a small machine (`make run` analyses the
# demo's archive while a newcomer browses it). Linux gives each thread its own niceness;
# elsewhere the batch runs at the worker's.
BULK_NICENESS = 10


@task(priority=BULK_PRIORITY)
def analyse_stories(article_ids: list[int], attempt: int = 1) -> int:
    """Analyse a batch of stories (an import's); returns how many were analysed."""
    from django.db import DatabaseError, connections

    from dateline.db.unavailable import unavailable

    from .pipeline import analyse_all, chosen_parts

    outcome: list = []

    def batch() -> None:
        try:
            _lower_priority()
            parts = chosen_parts()  # loaded once for the batch
            outcome.append(analyse_all(article_ids, parts=parts))
        except BaseException as error:  # handed to the task, which the worker records
            outcome.append(error)
        finally:
            # The thread's own connection, closed with it: close_old_connections() keeps one
            # younger than CONN_MAX_AGE (a minute in production), and a connection left by an
            # ended thread waits for the garbage collector, open on the server meanwhile.
            connections.close_all()

    runner = threading.Thread(target=batch, name="analyse-batch")
    runner.start()
    runner.join()
    error = outcome[0]
    if isinstance(error, DatabaseError) and unavailable(error) and attempt <= RETRIES:
        # Those analysed before it keep theirs: a second analysis of the same text skips.
        _again(analyse_stories, error, f"a batch of {len(article_ids)} stories", attempt,
               article_ids)
        return 0
    if isinstance(error, BaseException):
        raise error
    return error


def _again(chosen, error: Exception, what: str, attempt: int, *args, **kwargs) -> None:
    from datetime import timedelta

    from django.utils import timezone

    logger.warning("%s: the database could not answer (%s); analysing it again in %d s "
                   "(try %d of %d)", what, error, RETRY_SECONDS, attempt + 1, RETRIES + 1)
    chosen.using(run_after=timezone.now() + timedelta(seconds=RETRY_SECONDS)).enqueue(
        *args, attempt=attempt + 1, **kwargs)


def _lower_priority() -> None:
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread,
                       min(os.getpriority(os.PRIO_PROCESS, thread) + BULK_NICENESS, 19))
    except (AttributeError, OSError):  # not Linux, or not allowed: the worker's own
        logger.debug("intelligence: batch analysis at the worker's priority")


def waiting(article_id: int) -> bool:
    """Whether an analysis of this story is queued and not started yet."""
    # As edition.tasks.waiting_runs: django-tasks-db's rows are the one list of booked tasks.
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=analyse_story.module_path, status=TaskResultStatus.READY,
        args_kwargs__args=[article_id]).exists()


def queue_analysis(article_id: int, **options) -> bool:
    """Queue the story's analysis unless one waits already; True if queued now.

    No lock: two saves racing may both queue one, and the second analysis then finds the
    text unchanged and skips. A waiting plain analysis does not stand in for a publish's
    (which also refreshes the neighbours), so that one is always queued."""
    if not options and waiting(article_id):
        return False
    analyse_story.enqueue(article_id, **options)
    return True


def queue_batches(article_ids: list[int]) -> int:
    for start in range(0, len(article_ids), BATCH):
        analyse_stories.enqueue(list(article_ids[start:start + BATCH]))
    return (len(article_ids) + BATCH - 1) // BATCH
