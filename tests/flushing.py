"""After a test that commits, the test database emptied and its reference rows put back as they
were, without post_migrate's receivers working them out again app by app.

Django empties every table after such a test and sends post_migrate, whose receivers write
the content types, the permissions, the four role groups and the monitor's watched terms
again: 0.14 s of CPU on a quiet machine, 0.2 to 0.3 s in `make test` (py-spy over the first
15 minutes of its SQLite and PostgreSQL runs: 103 s of their 1,104 s of CPU) after each of
the 480 tests that commit, for the same rows every time. So each test database's first flush
is Django's own and what those receivers wrote is kept; every later flush empties the tables
without the signal, puts those rows back (their ids included, each table's sequence past them)
and sends post_migrate to every other receiver: the search index's prune of the
articles gone, and any receiver added later. Tests that flush by themselves
(tests/db/test_flush.py) get Django's flush, signal and all.

The flush is Django's TransactionTestCase._fixture_teardown, replaced here (conftest.py calls
`install`); it goes to the original where a test limits the apps or rolls back serialized
data, which this suite does not.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models.signals import post_migrate
from django.test import testcases

from dateline.ingest.models import WatchedTerm
from dateline.ingest.terms import seed_watched_terms
from dateline.newsroom.signals import sync_roles_after_migrate

# The receivers whose whole work is rows of these tables (put back in this order: each
# table's foreign keys point to one before it).
ROW_WRITERS = {create_contenttypes, create_permissions, sync_roles_after_migrate,
               seed_watched_terms}
KEPT_MODELS = [ContentType, Permission, Group, Group.permissions.through, WatchedTerm]

# Per database alias: for each kept model, the INSERT that puts its rows back and the rows the
# first flush left.
_kept: dict[str, list[tuple[str, list[tuple]]]] = {}
_stock_teardown = testcases.TransactionTestCase._fixture_teardown


def install() -> None:
    testcases.TransactionTestCase._fixture_teardown = _fixture_teardown


def _fixture_teardown(self) -> None:
    if self.available_apps is not None or self.serialized_rollback:
        _stock_teardown(self)
        return
    for alias in self._databases_names(include_mirrors=False):
        empty(alias)


def empty(alias: str) -> None:
    """What Django's flush and post_migrate leave in the database `alias`, quickly."""
    if alias not in _kept:
        call_command("flush", verbosity=0, interactive=False, database=alias,
                     reset_sequences=False)
        _kept[alias] = [_rows(model, alias) for model in KEPT_MODELS]
        return
    call_command("flush", verbosity=0, interactive=False, database=alias,
                 reset_sequences=False, inhibit_post_migrate=True)
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for insert, rows in _kept[alias]:
            if rows:
                cursor.executemany(insert, rows)
        # Each table's sequence past the rows put back, as when post_migrate wrote them: a
        # test that reset the sequences (reset_sequences=True) may have left them behind.
        for statement in connection.ops.sequence_reset_sql(no_style(), KEPT_MODELS):
            cursor.execute(statement)
    ContentType.objects.clear_cache()  # as create_contenttypes does
    for app_config in apps.get_app_configs():
        if app_config.models_module is None:
            continue
        receivers, _ = post_migrate._live_receivers(app_config)
        for receiver in receivers:
            if receiver not in ROW_WRITERS:
                receiver(signal=post_migrate, sender=app_config, app_config=app_config,
                         verbosity=0, interactive=False, using=alias)


def _rows(model, alias: str) -> tuple[str, list[tuple]]:
    """The INSERT of every column of the model's table, and its rows as they are now."""
    fields = model._meta.concrete_fields
    quote = connections[alias].ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    rows = list(model._base_manager.using(alias).order_by("pk")
                .values_list(*(f.attname for f in fields)))
    return insert, rows
