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


@task()
def analyse_story(article_id: int, force: bool = False, neighbours: bool = False) -> bool:
    """Analyse one story; with `neighbours`, also refresh the related lists of the stories
    now related to it (a story just published is new to theirs)."""
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
def analyse_stories(article_ids: list[int]) -> int:
    """Analyse a batch of stories (an import's); returns how many were analysed."""
    from django.db import close_old_connections

    from .pipeline import analyse, chosen_parts

    outcome: list = []

    def batch() -> None:
        try:
            _lower_priority()
            parts = chosen_parts()  # loaded once for the batch
            outcome.append(sum(analyse(pk, parts=parts) for pk in article_ids))
        except BaseException as error:  # handed to the task, which the worker records
            outcome.append(error)
        finally:
            close_old_connections()  # the thread's own connection, not left open

    runner = threading.Thread(target=batch, name="analyse-batch")
    runner.start()
    runner.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


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
