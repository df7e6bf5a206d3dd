"""Scheduled and embargoed articles appear at their time, run by the worker, clock controlled."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from dateline.newsroom.actions import TRANSITIONS, ActionRefused
from dateline.newsroom.models import Article, AuditEntry
from tests import prepared

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    """One pass of the real database worker over every task that is due now."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test",
           excluded_queue_names=[]).run()


def visible(client, article: Article) -> bool:
    page = client.get(article.get_absolute_url()).status_code == 200
    listed = article.headline in client.get("/").content.decode()
    section = article.headline in client.get(article.section.get_absolute_url()).content.decode()
    assert page == listed == section, "the article page and the listings disagree"
    return page


def test_a_scheduled_article_appears_at_its_time_and_not_before(
    client, make_user, make_article
):
    editor = make_user("Editor")
    article = make_article("Budget unveiled at noon", status=Article.Status.REVIEW,
                           published_at=None)
    start = timezone.now()
    at = start + timedelta(hours=2)
    with time_machine.travel(start, tick=False) as clock:
        TRANSITIONS["schedule"].execute(editor, article, at=at)
        assert not visible(client, article)
        clock.move_to(at - timedelta(seconds=1))
        run_worker()
        assert Article.objects.get(pk=article.pk).status == "scheduled"
        assert not visible(client, article)
        clock.move_to(at + timedelta(seconds=1))
        run_worker()
        article.refresh_from_db()
        assert article.status == "published"
        assert article.published_at == at  # stamped with its time, not the worker's
        assert visible(client, article)
    entry = AuditEntry.objects.filter(article=article).first()
    assert (entry.action, entry.user, entry.note) == ("publish", None, "Published on schedule.")


def test_a_killed_story_brought_back_on_a_schedule_keeps_its_first_time_as_publish_does(
    make_user, make_article
):
    """Brought back by Publish now, a killed story kept its first time and said when it was
    updated; brought back by a schedule, it took the scheduled time as its publication."""
    editor = make_user("Editor")
    first = timezone.now() - timedelta(days=2)
    article = make_article("Court ruling", status=Article.Status.PUBLISHED, published_at=first)
    TRANSITIONS["unpublish"].execute(editor, article, note="legal kill")
    at = timezone.now() + timedelta(hours=1)
    TRANSITIONS["schedule"].execute(editor, article, at=at)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        run_worker()
    article.refresh_from_db()
    assert (article.status, article.published_at, article.updated_at) == (
        "published", first, at)

    # A story never out before goes out at its scheduled time, with no update.
    draft = make_article("Budget", status=Article.Status.DRAFT, published_at=None)
    TRANSITIONS["schedule"].execute(editor, draft, at=at)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        run_worker()
    draft.refresh_from_db()
    assert (draft.published_at, draft.updated_at) == (at, None)


@pytest.mark.parametrize("back", ["now", "on a schedule"])
def test_a_story_embargoed_once_killed_and_brought_back_keeps_its_first_time(
    make_user, make_article, back
):
    """Out two days ago, embargoed for an hour yesterday, killed today: brought back, it took
    the old embargo's end as its first publication, after the corrections it carried."""
    editor, chief = make_user("Editor"), make_user("Chief editor")
    first = timezone.now() - timedelta(days=2)
    article = make_article("Court ruling", status=Article.Status.PUBLISHED, published_at=first)
    start = timezone.now() - timedelta(days=1)
    with time_machine.travel(start, tick=False):
        TRANSITIONS["embargo"].execute(chief, article, at=start + timedelta(hours=1))
    article.refresh_from_db()
    assert article.published_at == first  # a story out keeps its time under an embargo
    TRANSITIONS["unpublish"].execute(editor, article, note="legal kill")
    at = timezone.now() + timedelta(hours=1)
    if back == "now":
        TRANSITIONS["publish"].execute(editor, Article.objects.get(pk=article.pk))
    else:
        TRANSITIONS["schedule"].execute(editor, Article.objects.get(pk=article.pk), at=at)
        with time_machine.travel(at + timedelta(seconds=1), tick=False):
            run_worker()
    article.refresh_from_db()
    assert (article.status, article.published_at) == ("published", first)
    assert article.updated_at is not None


def killed_and_booked_to_return(make_user, make_article):
    """(an editor, a story out two days ago, killed, then scheduled to come back, its first
    publication time)."""
    editor = make_user("Editor")
    first = timezone.now() - timedelta(days=2)
    article = make_article("Court ruling", status=Article.Status.PUBLISHED, published_at=first)
    TRANSITIONS["unpublish"].execute(editor, article)
    TRANSITIONS["schedule"].execute(editor, article, at=timezone.now() + timedelta(hours=1))
    return editor, article, first


def test_publish_now_on_a_killed_story_scheduled_to_return_keeps_its_first_time(
    make_user, make_article
):
    editor, article, first = killed_and_booked_to_return(make_user, make_article)
    TRANSITIONS["publish"].execute(editor, article)
    article.refresh_from_db()
    assert article.published_at == first and article.updated_at is not None


def test_a_worker_that_was_down_at_the_time_publishes_on_restart(make_user, make_article):
    editor = make_user("Editor")
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TRANSITIONS["schedule"].execute(editor, article, at=start + timedelta(minutes=5))
        clock.move_to(start + timedelta(days=1))  # nobody ran the worker for a day
        run_worker()
    article.refresh_from_db()
    assert article.status == "published"
    assert article.published_at == start + timedelta(minutes=5)


def test_rescheduling_moves_the_time_and_the_old_task_does_nothing(make_user, make_article):
    editor = make_user("Editor")
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TRANSITIONS["schedule"].execute(editor, article, at=start + timedelta(hours=1))
        TRANSITIONS["schedule"].execute(editor, article, at=start + timedelta(hours=3))
        clock.move_to(start + timedelta(hours=2))
        run_worker()
        assert Article.objects.get(pk=article.pk).status == "scheduled"
        clock.move_to(start + timedelta(hours=3, seconds=1))
        run_worker()
        assert Article.objects.get(pk=article.pk).status == "published"


def test_a_story_taken_off_the_schedule_is_not_published_later(make_user, make_article):
    """Taken off the schedule before it went out, a story is back in review, not "killed":
    "Unpublish (kill)" was the only way off, and partners and the log called it a kill."""
    editor = make_user("Editor")
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TRANSITIONS["schedule"].execute(editor, article, at=start + timedelta(hours=1))
        assert not TRANSITIONS["unpublish"].is_available(editor, article)
        TRANSITIONS["unschedule"].execute(editor, article)
        clock.move_to(start + timedelta(hours=2))
        run_worker()
    article.refresh_from_db()
    assert (article.status, article.scheduled_for, article.published_at) == (
        "review", None, None)


def test_a_killed_story_booked_to_come_back_and_taken_off_stays_unpublished(
    make_user, make_article
):
    editor, article, first = killed_and_booked_to_return(make_user, make_article)
    TRANSITIONS["unschedule"].execute(editor, article)
    article.refresh_from_db()
    assert (article.status, article.scheduled_for, article.published_at) == (
        "unpublished", None, first)


def test_a_schedule_in_the_past_is_refused_and_changes_nothing(make_user, make_article):
    editor = make_user("Editor")
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    with pytest.raises(ActionRefused, match="in the past"):
        TRANSITIONS["schedule"].execute(editor, article, at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionRefused, match="Give the date"):
        TRANSITIONS["schedule"].execute(editor, article, at=None)
    article.refresh_from_db()
    assert (article.status, article.scheduled_for) == ("review", None)


@pytest.mark.parametrize("action", ["schedule", "embargo"])
def test_a_time_more_than_a_year_ahead_is_taken_for_a_slip_of_the_year(
        make_user, make_article, action):
    """9999-12-31 went through as "Goes live at 9999-12-31 23:59:59"."""
    editor = make_user("Editor")
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    with pytest.raises(ActionRefused, match="more than a year ahead; check the year"):
        TRANSITIONS[action].execute(editor, article, at=timezone.now() + timedelta(days=400))
    article.refresh_from_db()
    assert (article.status, article.scheduled_for, article.embargo_until) == (
        "review", None, None)
    TRANSITIONS[action].execute(editor, article, at=timezone.now() + timedelta(days=300))


def test_an_embargoed_article_is_hidden_everywhere_until_the_embargo_ends(
    client, make_user, make_article
):
    editor = make_user("Editor")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        article = make_article("Embargoed results", age=timedelta(minutes=5))
        other = make_article("Related story", section=article.section)
        TRANSITIONS["embargo"].execute(editor, article, at=start + timedelta(hours=1))
        assert not visible(client, article)
        assert "Embargoed results" not in client.get(other.get_absolute_url()).content.decode()
        clock.move_to(start + timedelta(hours=1, seconds=1))
        assert visible(client, article)  # visibility never waits for the worker...
        run_worker()  # ...which records and announces the end of the embargo
    assert AuditEntry.objects.filter(article=article, action="embargo_lifted").exists()


def test_an_embargoed_story_goes_out_at_its_release_time_and_sorts_by_it(
    client, make_user, make_article
):
    editor = make_user("Editor")
    start = timezone.now().replace(microsecond=0)
    release = start + timedelta(hours=1)
    with time_machine.travel(start, tick=False) as clock:
        article = make_article("Embargoed results", status=Article.Status.REVIEW,
                               published_at=None)
        TRANSITIONS["embargo"].execute(editor, article, at=release)
        TRANSITIONS["publish"].execute(editor, article)
        client.force_login(editor)
        desk = client.get("/desk/newsroom/article/").content.decode()
        assert '<td class="field-status_label">Embargoed until' in desk
        clock.move_to(start + timedelta(minutes=30))
        later = make_article("Published in between", section=article.section,
                             age=timedelta(0))
        clock.move_to(release + timedelta(seconds=1))
        run_worker()
        desk = client.get("/desk/newsroom/article/").content.decode()
        assert '<td class="field-status_label">Published<input' in desk
        front = client.get("/").content.decode()
    article.refresh_from_db()
    assert article.published_at == release
    assert front.index("Embargoed results") < front.index(later.headline)


def test_lifting_an_embargo_early_puts_the_story_out_at_once(make_user, make_article):
    editor = make_user("Editor")
    article = make_article("Held story", status=Article.Status.REVIEW, published_at=None)
    TRANSITIONS["embargo"].execute(editor, article, at=timezone.now() + timedelta(hours=1))
    TRANSITIONS["publish"].execute(editor, article)
    article.refresh_from_db()
    assert not article.is_live
    TRANSITIONS["lift_embargo"].execute(editor, article)
    article.refresh_from_db()
    assert article.is_live


@pytest.mark.one_engine  # its own SQLite file
def test_the_worker_process_publishes_within_seconds(tmp_path):
    """A real `dateline db_worker` process, down at the scheduled time, catches up at once."""
    import os
    import sqlite3
    import subprocess
    import sys
    import time

    # Its own SQLite file under tmp_path, whatever database the suite itself runs on.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DATELINE_DB_")},
           "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev"}
    dateline = [sys.executable, "-m", "dateline"]
    prepared.migrate(env)
    # Schedule, as an editor, for a time that passes while no worker runs.
    script = (
        "import time_machine; from datetime import timedelta; from django.utils import timezone;"
        "from django.contrib.auth.models import User, Group;"
        "from dateline.newsroom.models import Article, Section;"
        "from dateline.newsroom.actions import TRANSITIONS;"
        "u = User.objects.create_user('ed', is_staff=True);"
        "u.groups.add(Group.objects.get(name='Editor')); u = User.objects.get(pk=u.pk);"
        "s = Section(name='World'); s.save();"
        "a = Article.objects.create(headline='Due', body='<p>x</p>', section=s);"
        "now = timezone.now();"
        "t = time_machine.travel(now - timedelta(minutes=10), tick=False); t.start();"
        "TRANSITIONS['schedule'].execute(u, a, at=now - timedelta(seconds=30)); t.stop()"
    )
    subprocess.run([*dateline, "shell", "-c", script], env=env, check=True, timeout=120)
    database = tmp_path / "dateline.sqlite3"

    def status() -> str:
        return sqlite3.connect(database).execute(
            "SELECT status FROM newsroom_article").fetchone()[0]

    assert status() == "scheduled"
    worker = subprocess.Popen([*dateline, "db_worker", "--interval", "0.2",
                               "--no-startup-delay", "--queue-name", "*"], env=env)
    try:
        deadline = time.monotonic() + 30
        while status() != "published" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert status() == "published"


def test_a_due_release_runs_before_the_work_queued_ahead_of_it(make_article):
    """Analyses queued first (an import's backlog) do not hold a story past its time: the
    scheduler's tasks come first. With max_tasks=1 the worker takes one task and stops."""
    from django_tasks_db.models import DBTaskResult

    from dateline.intelligence.tasks import analyse_story
    from dateline.newsroom.actions import release_due_articles

    story = make_article("Goes live now", status=Article.Status.SCHEDULED,
                         scheduled_for=timezone.now() - timedelta(seconds=1))
    for _ in range(3):
        analyse_story.enqueue(story.pk)
    release_due_articles.enqueue()
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=1, worker_id="test", excluded_queue_names=[]).run()
    done = DBTaskResult.objects.exclude(status="READY")
    assert [result.task_path for result in done] == [release_due_articles.module_path]
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
