"""A kill ends a story's breaking news (Unpublish, since this migration): stories killed before
it kept the flag, and came back as a site-wide BREAKING banner when published again."""

from django.db import migrations


def end_breaking(apps, schema_editor) -> None:
    Article = apps.get_model("newsroom", "Article")
    Article.objects.filter(status="unpublished", is_breaking=True).update(is_breaking=False)


class Migration(migrations.Migration):

    dependencies = [
        ("newsroom", "0022_killed_is_the_word"),
    ]

    operations = [
        migrations.RunPython(end_breaking, migrations.RunPython.noop, elidable=True),
    ]
