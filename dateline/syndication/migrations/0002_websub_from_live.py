"""WebSub's models move here from `live`, their rows and tables untouched.

Only Django's state moves (SeparateDatabaseAndState): the tables keep their `live_` names
through `db_table` rather than being renamed with AlterModelTable, because a rename is DDL
that takes a lock, and a web or worker process of the previous release still running while
`migrate` runs would lose its table mid-request; keeping the names costs nothing but a prefix
that tells their history. Two rows outside the tables follow the models:

- the content types, renamed in place, so the desk's permissions on subscriptions, the
  groups and users holding them and the admin history stay attached;
- tasks booked under the old path (`dateline.live.websub.tasks.*`, still READY) are rewritten
  to the new one. No alias module is kept at the old path: it would make `live` import
  `syndication`, the very dependency this move removes. A task booked by a previous-release
  process in the seconds between `migrate` and its restart fails to import and is logged;
  a delivery lost so is made by the next change (its marks stay on the subscriptions), a
  verification by the subscriber's next request.
"""

import django.utils.timezone
from django.db import migrations, models
from django.tasks import TaskResultStatus

MODELS = ("intent", "subscription")
OLD_TASKS, NEW_TASKS = "dateline.live.websub.tasks.", "dateline.syndication.websub.tasks."


def move_content_types(apps, schema_editor, source="live", target="syndication") -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        # A fresh database has neither; one where the target exists already is left alone.
        if not ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            ContentType.objects.using(db).filter(app_label=source, model=model).update(
                app_label=target)


def move_content_types_back(apps, schema_editor) -> None:
    move_content_types(apps, schema_editor, source="syndication", target="live")


def rewrite_booked_tasks(apps, schema_editor, old=OLD_TASKS, new=NEW_TASKS) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    booked = DBTaskResult.objects.using(schema_editor.connection.alias).filter(
        status=TaskResultStatus.READY, task_path__startswith=old)
    for result in booked.only("pk", "task_path"):
        result.task_path = new + result.task_path.removeprefix(old)
        result.save(update_fields=["task_path"])


def rewrite_booked_tasks_back(apps, schema_editor) -> None:
    rewrite_booked_tasks(apps, schema_editor, old=NEW_TASKS, new=OLD_TASKS)


TARGET_FIELDS = [
    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
    ('topic', models.CharField(max_length=1000)),
    ('topic_path', models.CharField(db_index=True, max_length=1000)),
    ('callback', models.CharField(max_length=2000)),
    ('callback_host', models.CharField(db_index=True, max_length=255)),
    ('secret', models.CharField(blank=True, max_length=200)),
    ('lease_seconds', models.PositiveIntegerField()),
    ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
]


class Migration(migrations.Migration):

    dependencies = [
        ('syndication', '0001_initial'),
        ('live', '0002_websub'),  # the tables these models keep
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Intent',
                    fields=[
                        *TARGET_FIELDS,
                        ('mode', models.CharField(choices=[('subscribe', 'Subscribe'), ('unsubscribe', 'Unsubscribe')], max_length=11)),
                    ],
                    options={
                        'verbose_name': 'WebSub request awaiting verification',
                        'verbose_name_plural': 'WebSub requests awaiting verification',
                        'db_table': 'live_intent',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Subscription',
                    fields=[
                        *TARGET_FIELDS,
                        ('identity', models.CharField(editable=False, max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField(db_index=True)),
                        ('verified_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('changes_pending', models.PositiveIntegerField(default=0)),
                        ('attempts', models.PositiveSmallIntegerField(default=0, help_text='Failed attempts at delivering the pending change.')),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('last_delivered_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                    ],
                    options={
                        'verbose_name': 'WebSub subscription',
                        'db_table': 'live_subscription',
                        'ordering': ['topic', 'callback'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back, elidable=False),
        migrations.RunPython(rewrite_booked_tasks, rewrite_booked_tasks_back, elidable=False),
    ]
