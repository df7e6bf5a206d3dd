from django.db import migrations


def create_roles(apps, schema_editor):
    from dateline.newsroom.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0002_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_tasks_database", "__latest__"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
