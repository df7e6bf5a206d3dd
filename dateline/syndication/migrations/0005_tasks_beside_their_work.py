"""The app's tasks moved from its `tasks.py` modules beside the work they do
(`sitemap_figures.py`, `websub/verification.py`, `websub/distribution.py`), so that no module
and its tasks import each other. A booked task names its function by path: rows still waiting
are rewritten to the new paths (and back on a reverse migration), as 0002 did when the hub
came here. A task booked by a previous-release process between `migrate` and its restart
fails to import and is logged: the sitemap figures are asked for again by the next reader who
finds them old, a lost delivery is made by the next change (its marks stay on the
subscriptions), and a lost verification by the subscriber's next request.
"""

from django.db import migrations

from dateline.base.booked_tasks import moved_tasks

MOVED = {
    "dateline.syndication.tasks.refresh_sitemap_figures":
        "dateline.syndication.sitemap_figures.refresh_sitemap_figures",
    "dateline.syndication.websub.tasks.verify_intent":
        "dateline.syndication.websub.verification.verify_intent",
    "dateline.syndication.websub.tasks.distribute_pending":
        "dateline.syndication.websub.distribution.distribute_pending",
}


class Migration(migrations.Migration):

    dependencies = [
        ("syndication", "0004_deleted_story"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(moved_tasks(MOVED), moved_tasks(MOVED, back=True), elidable=False),
    ]
