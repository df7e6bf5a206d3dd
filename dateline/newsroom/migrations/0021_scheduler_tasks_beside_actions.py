"""The scheduler's tasks moved from `newsroom/tasks.py` beside the actions that book them
(`actions/publish.py`, `actions/embargo.py`), so that the actions and the tasks no longer
import each other. A booked task names its function by path: rows still waiting (a story
scheduled for tomorrow, an embargo ending next week) are rewritten to the new paths, and
back again on a reverse migration. No alias module is kept at the old path; a task booked by
a previous-release process between `migrate` and its restart is covered by the worker's
catch-up, which books `release_due_articles` when none waits, and an embargo ends on time
whether or not its task runs (visibility never waits for the worker; the task only records
and announces it).
"""

from django.db import migrations

from dateline.base.booked_tasks import moved_tasks

MOVED = {
    "dateline.newsroom.tasks.release_due_articles":
        "dateline.newsroom.actions.publish.release_due_articles",
    "dateline.newsroom.tasks.release_embargo": "dateline.newsroom.actions.embargo.release_embargo",
}


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0020_articlenote_sent_with"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(moved_tasks(MOVED), moved_tasks(MOVED, back=True), elidable=False),
    ]
