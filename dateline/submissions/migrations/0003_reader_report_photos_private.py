"""Readers' reports' photos move from the public store (served to anyone who had the name, and
kept by a CDN for a year) to the private one only the desk reads."""

from django.core.files.storage import storages
from django.db import migrations, models

import dateline.submissions.models


def move_to_private(apps, schema_editor):
    public, private = storages["default"], storages["reader_reports"]
    for photo in apps.get_model("submissions", "SubmissionPhoto").objects.iterator():
        name = photo.image.name
        if not name or private.exists(name) or not public.exists(name):
            continue  # moved already (a migration run again), or lost before
        with public.open(name, "rb") as handle:
            kept = private.save(name, handle)
        if kept != name:
            type(photo).objects.filter(pk=photo.pk).update(image=kept)
        public.delete(name)


class Migration(migrations.Migration):

    dependencies = [
        ("submissions", "0002_sent_with"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submissionphoto",
            name="image",
            field=models.FileField(storage=dateline.submissions.models.private_storage,
                                   upload_to=dateline.submissions.models.photo_path),
        ),
        migrations.RunPython(move_to_private, migrations.RunPython.noop, elidable=True),
    ]
