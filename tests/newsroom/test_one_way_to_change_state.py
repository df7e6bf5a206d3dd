"""The worker changes a story's state the desk's way: through `Transition.execute`, as the
scheduler, with one audit entry written by the one writer of the audit log."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dateline.newsroom.actions import SCHEDULER, TRANSITIONS, release_due, release_embargo
from dateline.newsroom.models import Article, AuditEntry
from dateline.newsroom.signals import article_status_changed, embargo_released

PACKAGE = Path(__file__).resolve().parents[2] / "dateline"
THE_WRITER = "newsroom/actions/audit.py"


@pytest.fixture
def heard():
    """What the newsroom's two signals announced, in order."""
    calls = []

    def status_changed(sender, article, action, previous, **kwargs):
        calls.append(("status_changed", article.pk, action, previous))

    def released(sender, article, **kwargs):
        calls.append(("embargo_released", article.pk))

    article_status_changed.connect(status_changed, dispatch_uid="test.status_changed")
    embargo_released.connect(released, dispatch_uid="test.embargo_released")
    yield calls
    article_status_changed.disconnect(dispatch_uid="test.status_changed")
    embargo_released.disconnect(dispatch_uid="test.embargo_released")


def scheduled(make_article, minutes_ago: int) -> Article:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return make_article(status=Article.Status.SCHEDULED, published_at=None, scheduled_for=at)


def test_a_scheduled_release_is_one_publish_entry_by_the_scheduler(
    make_article, heard, django_capture_on_commit_callbacks
):
    due, later = scheduled(make_article, 5), scheduled(make_article, -60)
    due_at = due.scheduled_for
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due() == [due.pk]
    entries = list(AuditEntry.objects.filter(article=due).values_list(
        "action", "from_status", "to_status", "user", "note"))
    assert entries == [("publish", "scheduled", "published", None, "Published on schedule.")]
    due.refresh_from_db()
    assert (due.status, due.published_at, due.scheduled_for) == ("published", due_at, None)
    assert heard == [("status_changed", due.pk, "publish", "scheduled")]
    assert not AuditEntry.objects.filter(article=later).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert release_due() == []  # nothing due twice
    assert AuditEntry.objects.filter(article=due).count() == 1


def test_an_ended_embargo_is_one_entry_by_the_scheduler_and_leaves_the_row(
    make_article, heard, django_capture_on_commit_callbacks
):
    article = make_article(embargo_until=timezone.now() - timedelta(seconds=1))
    modified_at = article.modified_at
    with django_capture_on_commit_callbacks(execute=True):
        assert release_embargo.call(article.pk) is True
    entries = list(AuditEntry.objects.filter(article=article).values_list(
        "action", "from_status", "to_status", "user", "note"))
    assert entries == [("embargo_lifted", "published", "published", None, "Embargo ended.")]
    assert heard == [("embargo_released", article.pk)]
    article.refresh_from_db()
    assert article.modified_at == modified_at  # time ended it; nothing of the row was written


def test_an_embargo_moved_later_or_a_deleted_article_writes_nothing(
    make_article, heard, django_capture_on_commit_callbacks
):
    article = make_article(embargo_until=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert release_embargo.call(article.pk) is False
        assert release_embargo.call(article.pk + 1000) is False
    assert not AuditEntry.objects.exists()
    assert heard == []


def test_the_scheduler_may_do_only_its_own_moves_and_nobody_is_not_the_scheduler(make_article):
    article = scheduled(make_article, 5)
    for name in ("publish", "unpublish", "embargo", "lift_embargo"):
        with pytest.raises(PermissionDenied):
            TRANSITIONS[name].check_permission(SCHEDULER, article)
    with pytest.raises(PermissionDenied):
        TRANSITIONS["publish"].execute(None, article)  # a missing user is refused, not trusted
    article.refresh_from_db()
    assert article.status == "scheduled"
    assert not AuditEntry.objects.exists()


# ---- one writer of the audit log -------------------------------------------------------------

WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}


def dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(dotted(node.func) + "()")
    return ".".join(reversed(parts))


def audit_writes(source: str) -> list[int]:
    """Lines of `source` that make an AuditEntry: the constructor, a manager's or the
    article's `audit_log` writers (under any imported alias), or SQL naming its table."""
    tree = ast.parse(source)
    names = {"AuditEntry"} | {
        alias.asname for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        for alias in node.names if alias.name == "AuditEntry" and alias.asname
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            path = dotted(node.func).split(".")
            if path[-1] in names or (path[-1] in WRITES and (names | {"audit_log"}) & set(path)):
                lines.append(node.lineno)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and "newsroom_auditentry" in node.value.lower()):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_each_way_of_writing_an_entry():
    ways = [
        "AuditEntry.objects.create(\n    article=a, action='x', user=u)",
        "from dateline.newsroom.models import AuditEntry as Log\nLog.objects.bulk_create([])",
        "article.audit_log.create(action='x')",
        "models.AuditEntry._default_manager.get_or_create(article=a)",
        "AuditEntry(article=a).save()",
        "cursor.execute('INSERT INTO newsroom_auditentry (action) VALUES (%s)', ['x'])",
    ]
    assert all(audit_writes(way) for way in ways)
    assert not audit_writes("AuditEntry.objects.filter(article=a).count()\narticle.audit_log.all()")


def test_only_the_audit_module_writes_audit_entries():
    writers = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
        for line in audit_writes(path.read_text())
    }
    assert {w.split(":")[0] for w in writers} == {THE_WRITER}, (
        "Write audit entries through dateline.newsroom.actions.log_action (state changes "
        f"through Transition.execute), not directly: {sorted(writers)}")
