"""Sending an edition: once to each active subscriber, in batches, resumable after any stop;
delivered to real SMTP servers on loopback."""

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dateline.edition.assembly import build_edition, next_edition_date
from dateline.edition.models import Delivery, Edition, Subscriber
from dateline.edition.sending import SendingStopped, send_edition
from tests import prepared
from tests.submissions.conftest import Inbox, free_port, use_smtp

DAY = date(2024, 12, 11)


class CountingInbox(Inbox):
    """Keeps, with each message, the connection it came over (its client's address and port)."""

    def __init__(self) -> None:
        super().__init__()
        self.connections: list[tuple] = []
        self.closing_after: int | None = None  # then answer "421" (shutting down) and hang up

    async def handle_DATA(self, server, session, envelope):
        if self.closing_after is not None and len(self.envelopes) >= self.closing_after:
            return "421 4.3.2 Service shutting down, closing channel"
        self.connections.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


class SlowInbox(Inbox):
    """A busy server: it answers each message after a pause. Like every correct server, it keeps
    no message whose sender hung up before hearing "250" (aiosmtpd cancels the handler then)."""

    def __init__(self, pause: float, hold: int | None = None) -> None:
        super().__init__()
        self.pause = pause
        # The message arriving `hold`-th is not answered until its sender hangs up (or a
        # minute passes): a test that kills the sender then cannot be too late, however
        # loaded the machine (with a short pause it was, once: the 21st was answered first).
        self.hold = hold
        self.arrived = 0  # messages received in full, answered or not
        self.dropped = 0

    async def handle_DATA(self, server, session, envelope):
        self.arrived += 1
        try:
            await asyncio.sleep(60 if self.arrived == self.hold else self.pause)
        except asyncio.CancelledError:
            self.dropped += 1
            raise
        return await super().handle_DATA(server, session, envelope)


def start_server(handler):
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


@pytest.fixture
def inbox(settings):
    handler = CountingInbox()
    controller = start_server(handler)
    use_smtp(settings, controller.port)
    yield handler
    controller.stop()


def subscribers(count: int, prefix: str = "reader", **fields) -> list[Subscriber]:
    fields.setdefault("confirmed_at", timezone.now())
    return [Subscriber.objects.create(email=f"{prefix}{n:02d}@example.org", **fields)
            for n in range(count)]


def recipients(inbox) -> Counter:
    return Counter(address for envelope in inbox.envelopes for address in envelope.rcpt_tos)


def delivered(edition: Edition) -> set[str]:
    return set(Delivery.objects.filter(edition=edition).values_list("subscriber__email",
                                                                    flat=True))


@pytest.mark.django_db
def test_each_active_subscriber_gets_it_once_a_batch_per_connection(inbox):
    active = subscribers(5)
    subscribers(1, "unconfirmed", confirmed_at=None)
    subscribers(1, "gone", unsubscribed_at=timezone.now())
    edition = build_edition(DAY)
    assert send_edition(edition, batch_size=2) == 5
    assert recipients(inbox) == Counter({s.email: 1 for s in active})
    assert delivered(edition) == {s.email for s in active}
    assert list(Counter(inbox.connections).values()) == [2, 2, 1]  # messages per connection
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    assert edition.send_started_at <= edition.sent_at
    assert send_edition(edition) == 0 and len(inbox.envelopes) == 5  # again: nobody twice


@pytest.mark.django_db
def test_a_refused_address_is_logged_and_the_others_still_get_it(inbox, caplog):
    readers = subscribers(4)
    inbox.refused = {readers[1].email}
    edition = build_edition(DAY)
    assert send_edition(edition, batch_size=3) == 3
    assert set(recipients(inbox)) == {readers[0].email, readers[2].email, readers[3].email}
    assert readers[1].email not in delivered(edition)
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENT
    assert f"refused subscriber {readers[1].pk}" in caplog.text and "550" in caplog.text
    assert send_edition(edition) == 0  # a rerun tries it once more, and only it


@pytest.mark.django_db
def test_a_server_that_goes_away_stops_the_send_and_a_rerun_sends_the_rest(inbox):
    readers = subscribers(6)
    edition = build_edition(DAY)
    inbox.closing_after = 2
    with pytest.raises(SendingStopped, match="Run the send again") as stopped:
        send_edition(edition, batch_size=4)
    assert stopped.value.sent == 2 and len(delivered(edition)) == 2
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING
    inbox.closing_after = None
    assert send_edition(edition) == 4
    assert recipients(inbox) == Counter({s.email: 1 for s in readers})


@pytest.mark.django_db
def test_no_mail_server_at_all_sends_nothing_and_records_nothing(settings):
    subscribers(2)
    use_smtp(settings, free_port())
    edition = build_edition(DAY)
    with pytest.raises(SendingStopped):
        send_edition(edition)
    assert not Delivery.objects.exists()
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.SENDING


@pytest.mark.django_db
def test_the_command_sends_and_says_how_many(inbox, capsys, make_article):
    make_article("Overnight story", published_at=timezone.make_aware(datetime(2024, 12, 11, 3)))
    subscribers(3)
    call_command("edition", "send", DAY.isoformat())
    assert "sent to 3 more subscriber(s)" in capsys.readouterr().out
    assert len(inbox.envelopes) == 3


@pytest.mark.django_db
def test_the_command_sends_an_empty_edition_only_when_told(inbox, capsys):
    """A mistyped day mailed every subscriber "Nothing was published" at once."""
    subscribers(2)
    with pytest.raises(CommandError, match="holds no story: nothing sent"):
        call_command("edition", "send", DAY.isoformat())
    assert inbox.envelopes == []
    call_command("edition", "send", DAY.isoformat(), "--even-if-empty")
    assert len(inbox.envelopes) == 2


@pytest.mark.django_db
def test_the_command_refuses_a_day_still_to_come(inbox):
    """A mistyped year (2031) was sent to every subscriber and became the latest edition."""
    subscribers(1)
    coming = timezone.localdate() + timedelta(days=2)
    for action in ("send", "build"):
        with pytest.raises(CommandError, match="still to come"):
            call_command("edition", action, coming.isoformat())
    assert inbox.envelopes == [] and not Edition.objects.filter(date=coming).exists()


@pytest.mark.django_db(transaction=True)
def test_the_morning_task_sends_the_edition_and_books_the_next(inbox, make_article):
    from django_tasks_db.models import DBTaskResult

    from dateline.edition.tasks import publish_edition
    from tests.newsroom.test_scheduling import run_worker

    make_article("Overnight story",
                 published_at=timezone.make_aware(datetime(2024, 12, 11, 3)))
    readers = subscribers(2)
    publish_edition.enqueue(DAY.isoformat())
    run_worker()
    edition = Edition.objects.get(date=DAY)
    assert edition.status == Edition.Status.SENT
    assert recipients(inbox) == Counter({s.email: 1 for s in readers})
    assert "Overnight story" in inbox.messages[0].get_body(("plain",)).get_content()
    booked = DBTaskResult.objects.filter(task_path=publish_edition.module_path, status="READY")
    assert [task.args_kwargs["args"] for task in booked] == [[next_edition_date().isoformat()]]


# ---- A worker killed in the middle of a send -------------------------------------------------

def wait_until(condition, timeout: float = 30, step: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(step)


def django_in(env: dict, code: str) -> str:
    """Run code in a `dateline shell` of the other site; return the last line it printed."""
    done = subprocess.run([sys.executable, "-m", "dateline", "shell", "-c", code], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture
def other_site(tmp_path):
    """A database of its own (a file on SQLite, a new database on PostgreSQL), migrated."""
    from tests.live.server import admin_sql, site_environment

    env = site_environment(tmp_path)
    prepared.migrate(env)
    yield env
    if env.get("DATELINE_DB_ENGINE") == "postgresql":
        admin_sql(env, f'DROP DATABASE IF EXISTS "{env["DATELINE_DB_NAME"]}" WITH (FORCE)')


def test_a_send_killed_midway_and_run_again_reaches_everyone_exactly_once(other_site):
    """`dateline edition send` against a slow server, SIGKILLed while its 21st mail is being
    answered: the rerun sends the other 40, and every reader has exactly one copy."""
    inbox = SlowInbox(pause=0.05, hold=21)
    controller = start_server(inbox)
    env = {**other_site, "DATELINE_EMAIL_HOST": "127.0.0.1",
           "DATELINE_EMAIL_PORT": str(controller.port), "DATELINE_EMAIL_SECURITY": "none"}
    django_in(env, "from django.utils import timezone; from dateline.edition.models import "
                   "Subscriber; Subscriber.objects.bulk_create(Subscriber(email="
                   "f'reader{n:02d}@example.org', confirmed_at=timezone.now()) "
                   "for n in range(60))")
    send = [sys.executable, "-m", "dateline", "edition", "send", DAY.isoformat(), "--even-if-empty"]
    try:
        worker = subprocess.Popen(send, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        # Twenty mails accepted and the 21st received, its "250" not yet given: since mails
        # go one after another, the 20th delivery is committed by then.
        wait_until(lambda: len(inbox.envelopes) >= 20 and inbox.arrived > len(inbox.envelopes))
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        wait_until(lambda: inbox.dropped == 1, timeout=5)  # the server kept no half-sent mail
        killed_at = len(inbox.envelopes)
        counted = django_in(env, "from dateline.edition.models import Delivery; "
                                 "print(Delivery.objects.count())")
        assert int(counted) == killed_at == 20

        rerun = subprocess.run(send, env=env, capture_output=True, text=True, timeout=120)
    finally:
        controller.stop()
    assert rerun.returncode == 0, rerun.stderr
    assert f"sent to {60 - killed_at} more subscriber(s)" in rerun.stdout
    assert recipients(inbox) == Counter({f"reader{n:02d}@example.org": 1 for n in range(60)})
    rows = django_in(env, "from dateline.edition.models import Delivery, Edition; "
                          "e = Edition.objects.get(); print(e.status, sorted(Delivery.objects"
                          ".filter(edition=e).values_list('subscriber__email', flat=True)))")
    assert rows == "sent " + str(sorted(recipients(inbox)))


def test_two_sends_at_once_mail_nobody_twice(other_site):
    """The worker and someone at the command line, both sending the same edition: on
    PostgreSQL they share the readers (row locks), on SQLite the second waits for the first."""
    inbox = SlowInbox(pause=0.03)
    controller = start_server(inbox)
    env = {**other_site, "DATELINE_EMAIL_HOST": "127.0.0.1",
           "DATELINE_EMAIL_PORT": str(controller.port), "DATELINE_EMAIL_SECURITY": "none"}
    django_in(env, "from datetime import date; from django.utils import timezone; "
                   "from dateline.edition.models import Subscriber; "
                   "from dateline.edition.assembly import build_edition; "
                   f"build_edition(date.fromisoformat('{DAY}')); Subscriber.objects.bulk_create("
                   "Subscriber(email=f'reader{n:02d}@example.org', confirmed_at=timezone.now()) "
                   "for n in range(30))")
    send = [sys.executable, "-m", "dateline", "edition", "send", DAY.isoformat(), "--even-if-empty"]
    try:
        runs = [subprocess.Popen(send, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
    finally:
        controller.stop()
    assert [run.returncode for run in runs] == [0, 0], outputs
    said = [int(re.search(r"sent to (\d+) more", out).group(1)) for out, _ in outputs]
    assert sum(said) == 30
    assert recipients(inbox) == Counter({f"reader{n:02d}@example.org": 1 for n in range(30)})
