"""The morning run is always booked once, survives a failed build, and the desk shows it."""

from datetime import date, timedelta

import lxml.html
import pytest
import time_machine
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dateline.edition.assembly import goes_out_at
from dateline.edition.models import Edition
from dateline.edition.tasks import RETRY_DELAYS, publish_edition, schedule_next_edition
from dateline.newsroom.actions import release_due_articles
from dateline.ops.management.commands.worker import book_standing_work
from tests.newsroom.test_scheduling import run_worker

from .test_sending import inbox, recipients, subscribers  # noqa: F401  (the inbox fixture)

DAY = date(2024, 12, 11)
LIST = "/desk/edition/edition/"


def waiting() -> list[tuple[str, int, object]]:
    """The booked morning runs: (day, attempt, run_after), soonest first."""
    runs = DBTaskResult.objects.filter(task_path=publish_edition.module_path,
                                       status=TaskResultStatus.READY).order_by("run_after")
    return [(run.args_kwargs["args"][0], run.args_kwargs["kwargs"].get("attempt", 1),
             run.run_after) for run in runs]


def broken_build(day):
    raise RuntimeError("the database went away mid-build")


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_is_logged_retried_and_still_books_the_next_day(
        inbox, monkeypatch, caplog, make_article):  # noqa: F811
    from django.utils import timezone

    make_article("Overnight story", published_at=timezone.make_aware(
        timezone.datetime(2024, 12, 11, 3)))
    out = goes_out_at(DAY)
    # Subscribed before the morning the clock is moved to (a send reaches only those).
    readers = subscribers(2, confirmed_at=out - timedelta(days=1))
    assert schedule_next_edition(now=out - timedelta(hours=3))
    with time_machine.travel(out + timedelta(seconds=30)) as clock:
        monkeypatch.setattr("dateline.edition.tasks.build_edition", broken_build)
        run_worker()
        failed = DBTaskResult.objects.get(task_path=publish_edition.module_path,
                                          status=TaskResultStatus.FAILED)
        assert failed.exception_class_path == "builtins.RuntimeError"
        assert "edition 2024-12-11: run 1 failed; trying again at" in caplog.text
        assert "the database went away" in caplog.text  # the traceback is in the log
        (retry_day, attempt, retry_at), (next_day, _, next_at) = waiting()
        assert (retry_day, attempt) == ("2024-12-11", 2)
        assert abs(retry_at - (out + timedelta(seconds=30) + RETRY_DELAYS[0])) < timedelta(
            seconds=10)
        assert next_day == "2024-12-12" and next_at == goes_out_at(date(2024, 12, 12))
        assert not inbox.envelopes

        monkeypatch.undo()  # the fault is gone by the retry
        clock.move_to(retry_at + timedelta(seconds=1))
        run_worker()
    assert Edition.objects.get(date=DAY).status == Edition.Status.SENT
    assert set(recipients(inbox)) == {reader.email for reader in readers}
    assert [(d, a) for d, a, _ in waiting()] == [("2024-12-12", 1)]  # one chain, not two


@pytest.mark.django_db
def test_after_the_last_try_the_run_gives_up_loudly_and_still_books_the_next_day(
        monkeypatch, caplog):
    monkeypatch.setattr("dateline.edition.tasks.build_edition", broken_build)
    with (time_machine.travel(goes_out_at(DAY) + timedelta(hours=2)),
          pytest.raises(RuntimeError)):
        publish_edition.call(DAY.isoformat(), attempt=len(RETRY_DELAYS) + 1)
    assert "run 4 failed; no more tries" in caplog.text
    assert [(d, a) for d, a, _ in waiting()] == [("2024-12-12", 1)]


@pytest.mark.django_db
def test_starting_workers_again_and_again_books_one_run_and_one_catch_up():
    with time_machine.travel(goes_out_at(DAY) - timedelta(hours=1)):
        assert book_standing_work() is True
        assert book_standing_work() is False
        assert book_standing_work() is False
    assert [(d, a) for d, a, _ in waiting()] == [("2024-12-11", 1)]
    assert waiting()[0][2] == goes_out_at(DAY)
    assert DBTaskResult.objects.filter(task_path=release_due_articles.module_path,
                                       status=TaskResultStatus.READY).count() == 1


def booking_line(response) -> str:
    doc = lxml.html.fromstring(response.content.decode())
    return " ".join(doc.xpath("//section[@class='edition-desk']/p[1]")[0].text_content().split())


@pytest.mark.django_db
def test_the_desk_shows_when_the_next_edition_is_built_and_sent_or_that_none_is_booked(
        desk_client, make_user):
    editor = desk_client(make_user("Editor"))
    with time_machine.travel(goes_out_at(DAY) - timedelta(hours=1)):
        response = editor.get(LIST)
        assert response.status_code == 200
        assert booking_line(response).startswith("Not booked: no morning run is waiting")
        schedule_next_edition()
        assert booking_line(editor.get(LIST)) == (
            "Booked: the edition of Wednesday, 11 December 2024 will be built and sent on "
            "Wednesday, 11 December 2024 at 07:00.")
        publish_edition.using(run_after=goes_out_at(DAY) - timedelta(minutes=20)).enqueue(
            DAY.isoformat(), attempt=2)
        assert booking_line(editor.get(LIST)).endswith(
            "at 06:40 (try 2: the last run failed).")
        publish_edition.enqueue(DAY.isoformat())  # "Send now" from the desk
        assert "will be built and sent now, as soon as the worker takes it." in booking_line(
            editor.get(LIST))


@pytest.mark.django_db(transaction=True)
def test_an_edition_a_killed_worker_left_half_sent_is_finished_when_a_worker_starts(
        inbox, make_article):  # noqa: F811 - the fixture
    """The worker was SIGKILLed mid-send: the edition stayed "sending", its run's row
    "running", and the restarted worker booked only tomorrow's: half the readers never got
    it. Now each start books the rest at once; the rest get the same edition (no top-up)."""
    from django.utils import timezone

    from dateline.edition.assembly import build_edition
    from dateline.edition.sending import SendingStopped, send_edition

    make_article("Overnight story", published_at=timezone.make_aware(
        timezone.datetime(2024, 12, 11, 3)))
    readers = subscribers(6)
    edition = build_edition(DAY)
    inbox.closing_after = 2  # the send stops after two mails, as a kill would leave it
    with pytest.raises(SendingStopped):
        send_edition(edition, batch_size=4)
    inbox.closing_after = None
    make_article("A story after the send began", published_at=timezone.make_aware(
        timezone.datetime(2024, 12, 11, 4)))
    with time_machine.travel(goes_out_at(DAY) + timedelta(minutes=30)):
        book_standing_work()
        book_standing_work()  # a second worker starting: still one run
        assert [d for d, _, _ in waiting() if d == DAY.isoformat()] == [DAY.isoformat()]
        run_worker()
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT
    assert recipients(inbox) == {s.email: 1 for s in readers}
    for message in inbox.messages:
        text = message.get_body(("plain",)).get_content()
        assert "Overnight story" in text and "A story after the send began" not in text


@pytest.mark.django_db(transaction=True)
def test_the_sent_editions_pdf_is_laid_out_by_the_worker(
        inbox, monkeypatch, client, settings, tmp_path, make_article):  # noqa: F811
    """The first reader to ask for the PDF waited 2 to 4 s for WeasyPrint to lay it out."""
    settings.VAR_DIR = tmp_path / "var"
    subscribers(1)
    out = goes_out_at(DAY)
    make_article("Parliament passes the budget", published_at=out - timedelta(hours=3))
    assert schedule_next_edition(now=out - timedelta(hours=3))
    with time_machine.travel(out + timedelta(seconds=30)):
        run_worker()
        edition = Edition.objects.get(date=DAY)
        assert edition.status == Edition.Status.SENT

        def no_render(*args, **kwargs):
            raise AssertionError("rendered on the reader's request")

        monkeypatch.setattr("dateline.edition.pdf.render_pdf", no_render)
        response = client.get(f"/edition/{DAY:%Y/%m/%d}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_a_send_stopped_days_ago_is_not_resumed_as_todays_mail(inbox, make_article):  # noqa: F811
    """A worker starting resumed every edition left half sent, however old, and mailed it to
    readers who had joined since as if it were today's."""
    from django.utils import timezone

    from dateline.edition.assembly import build_edition
    from dateline.edition.sending import SendingStopped, send_edition
    from dateline.edition.tasks import resume_interrupted_sends

    make_article("Overnight story", published_at=timezone.make_aware(
        timezone.datetime(2024, 12, 11, 3)))
    subscribers(3)
    edition = build_edition(DAY)
    inbox.closing_after = 1
    with pytest.raises(SendingStopped):
        send_edition(edition, batch_size=4)
    inbox.closing_after = None
    with time_machine.travel(timezone.now() + timedelta(hours=21)):
        assert resume_interrupted_sends() == []
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING
    with time_machine.travel(timezone.now() + timedelta(hours=19)):
        assert resume_interrupted_sends() == [DAY.isoformat()]


@pytest.mark.django_db(transaction=True)
def test_a_resumed_send_reaches_only_readers_subscribed_when_it_began(inbox, make_article):  # noqa: F811
    from django.utils import timezone

    from dateline.edition.assembly import build_edition
    from dateline.edition.sending import SendingStopped, send_edition

    make_article("Overnight story", published_at=timezone.make_aware(
        timezone.datetime(2024, 12, 11, 3)))
    readers = subscribers(3)
    edition = build_edition(DAY)
    inbox.closing_after = 1
    with pytest.raises(SendingStopped):
        send_edition(edition, batch_size=4)
    inbox.closing_after = None
    newcomer = subscribers(1, "newcomer")[0]  # confirmed after the send began
    assert send_edition(Edition.objects.get(pk=edition.pk)) == 2
    assert recipients(inbox) == {s.email: 1 for s in readers}
    assert newcomer.email not in recipients(inbox)


@pytest.mark.django_db(transaction=True)
def test_a_morning_with_nothing_published_mails_nobody_and_books_the_next(inbox):  # noqa: F811
    """An empty edition went to every reader ("Nothing was published in the 24 hours this
    edition covers"), the newsletter's ad billed for each."""
    subscribers(2)
    publish_edition.enqueue(DAY.isoformat())
    run_worker()
    assert inbox.envelopes == []
    assert Edition.objects.get(date=DAY).status == Edition.Status.DRAFT
    assert [d for d, _, _ in waiting()] != []  # the next morning is booked all the same
