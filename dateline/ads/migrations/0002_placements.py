"""One placement per named slot of the pages, so the desk only picks them for campaigns."""

from django.db import migrations

SLOTS = ["top", "sidebar", "in-story", "after-story", "listing", "newsletter"]


def create(apps, schema_editor):
    Placement = apps.get_model("ads", "Placement")
    for slot in SLOTS:
        Placement.objects.get_or_create(slot=slot)


class Migration(migrations.Migration):
    dependencies = [("ads", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
