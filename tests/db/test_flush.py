"""What a test that commits leaves behind: nothing. After each one every table is emptied
(with DELETE on PostgreSQL, tests/backends/postgresql) and the rows post_migrate writes (content
types, permissions, roles, watched terms) are put back (tests/flushing.py)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from dateline.ingest.models import WatchedTerm
from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article, ArticleNote, Revision, Tag
from dateline.search.backends.base import get_backend
from tests import flushing

pytestmark = pytest.mark.django_db(transaction=True)

REFILLED = {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
            "ingest_watchedterm"}


def test_a_flush_empties_every_table_linked_or_not_and_refills_only_what_migrate_writes(
    make_user, make_article
):
    editor = make_user("Editor")
    story = make_article("Storm", tags=[Tag.objects.create(name="Sofia", slug="sofia")])
    ArticleNote.objects.create(article=story, created_by=editor, kind="correction",
                               text="Fixed.")
    record_revision(story, editor)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)

    assert not (Article.objects.exists() or Tag.objects.exists() or ArticleNote.objects.exists()
                or Revision.objects.exists())
    with connection.cursor() as cursor:
        left = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.managed and table not in REFILLED:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                if count := cursor.fetchone()[0]:
                    left[table] = count
    assert left == {}
    assert Group.objects.count() == 4  # the roles, made again


def reference_rows() -> dict[str, set]:
    """What post_migrate writes, by natural keys (ids differ from flush to flush)."""
    return {
        "content types": set(ContentType.objects.values_list("app_label", "model")),
        "permissions": set(Permission.objects.values_list(
            "content_type__app_label", "content_type__model", "codename", "name")),
        "roles": {(group.name, frozenset(group.permissions.values_list("codename", flat=True)))
                  for group in Group.objects.all()},
        "watched terms": set(WatchedTerm.objects.values_list("term", flat=True)),
    }


def index_entries() -> int:
    backend = get_backend()
    with backend.connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {backend.index_table}")
        return cursor.fetchone()[0]


def test_the_suites_flush_after_a_test_leaves_what_djangos_flush_and_post_migrate_leave(
    make_user, make_article
):
    """tests/flushing.py puts the reference rows back instead of sending post_migrate to the
    receivers that write them: the result must be the one those receivers give."""
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    djangos = reference_rows()
    flushing.empty("default")  # the first in a process is Django's own; then the suite's
    # A test that changes the reference rows and leaves data behind.
    editor = make_user("Editor")
    make_article("Storm over the harbour")
    assert index_entries() == 1
    Group.objects.get(name="Editor").permissions.clear()
    Group.objects.create(name="Interns")
    WatchedTerm.objects.all().delete()
    WatchedTerm.objects.create(term="Atlantis")
    ContentType.objects.get_for_model(Article).permission_set.all().delete()
    ContentType.objects.get_for_model(Tag).delete()
    remade = ContentType.objects.get_for_model(Tag)  # a new row, and the one cached
    assert reference_rows() != djangos and editor.pk

    # A test that reset the sequences (django_db(reset_sequences=True)) and committed.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_by_name_sql(
                no_style(), connection.introspection.sequence_list()):
            cursor.execute(statement)

    flushing.empty("default")

    assert reference_rows() == djangos
    # Rows added after it take ids after the ones put back.
    roles = list(Group.objects.values_list("pk", flat=True))
    assert Group.objects.create(name="Interns").pk > max(roles)
    assert not (Article.objects.exists() or Tag.objects.exists())
    assert index_entries() == 0  # the search index's own post_migrate receiver ran
    # The content types' cache was emptied with the table it mirrors.
    assert not ContentType.objects.filter(pk=remade.pk).exists()
    assert ContentType.objects.get_for_model(Tag) == ContentType.objects.get(
        app_label="newsroom", model="tag")
