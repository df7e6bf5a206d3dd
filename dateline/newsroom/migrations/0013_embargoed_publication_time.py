"""Stories published while under embargo go out when it ends: give them that publication time.

Until this migration the desk kept the time of the Publish click, so a story released at the
end of its embargo sorted below stories published after the click. A story that was already
out when it was embargoed keeps its time (the embargo only hid it for a while); the audit log
tells the two apart: the story was embargoed before it was published.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def release_time(apps, schema_editor):
    Article = apps.get_model("newsroom", "Article")
    AuditEntry = apps.get_model("newsroom", "AuditEntry")
    first_embargo = (
        AuditEntry.objects.filter(article=OuterRef("pk"), action="embargo")
        .order_by("created_at").values("created_at")[:1]
    )
    held = (
        Article.objects.filter(status="published", embargo_until__gt=F("published_at"))
        .annotate(embargoed_at=Subquery(first_embargo))
        .filter(embargoed_at__lte=F("published_at"))
    )
    batch = []
    for article in held.only("published_at", "embargo_until").iterator(1000):
        article.published_at = article.embargo_until
        batch.append(article)
    Article.objects.bulk_update(batch, ["published_at"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0012_autosave_presence_desk_index")]

    operations = [migrations.RunPython(release_time, migrations.RunPython.noop)]
