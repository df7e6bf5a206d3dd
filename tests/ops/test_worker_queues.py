"""A slow outlet never holds back a scheduled publication: the worker ran one task at a time,
and a round polling an outlet that answered a byte every few seconds (cut at 30 s a feed)
kept a story due meanwhile waiting until the round was over, 80 s late with four feeds."""

import json
import signal
import socket
import subprocess
import threading
import time

import pytest

from tests import prepared
from tests.database_away import sqlite_environment
from tests.live.server import DATELINE

from .test_worker_waits import Output

pytestmark = pytest.mark.one_engine


class DrippingOutlet:
    """An outlet on loopback that answers a byte every two seconds, until the test ends."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.asked = threading.Event()
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.done.is_set():
            connection, _ = self.server.accept()
            threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            self.asked.set()
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                               b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                while not self.done.wait(2):
                    connection.sendall(b"1\r\n \r\n")
            except OSError:
                pass

    def close(self) -> None:
        self.done.set()
        self.server.close()


def django(env: dict, code: str):
    script = f"import json\nresult = None\n{code}\nprint('RESULT=' + json.dumps(result))"
    done = subprocess.run([*DATELINE, "shell", "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.rsplit("RESULT=", 1)[1])


def test_a_story_due_while_a_slow_outlet_is_polled_goes_out_on_time(tmp_path):
    env = sqlite_environment(tmp_path)
    prepared.migrate(env)
    outlet = DrippingOutlet()
    django(env, f"""
from dateline.ingest.models import Feed
from dateline.newsroom.models import Source
outlet = Source.objects.create(name="Slow Outlet")
for n in range(4):
    Feed.objects.create(outlet=outlet, url="http://127.0.0.1:{outlet.port}/feed?n=%d" % n,
                        poll_interval=60)
""")
    worker = subprocess.Popen([*DATELINE, "worker", "--interval", "0.2", "--nice", "0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    output = Output(worker)
    try:
        assert outlet.asked.wait(60), output.lines  # the round waits on the outlet now
        story = django(env, """
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.utils import timezone
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Section
editor = User.objects.create(username="desk-editor", is_staff=True)
editor.groups.add(Group.objects.get(name="Editor"))
editor = User.objects.get(pk=editor.pk)
section = Section.objects.first() or Section.objects.create(name="World")
story = Article.objects.create(headline="Budget passes", body="<p>By 132 votes.</p>",
                               section=section)
TRANSITIONS["schedule"].execute(editor, story, at=timezone.now() + timedelta(seconds=2))
result = story.pk
""")
        deadline = time.monotonic() + 20  # the round holds its feeds up to 30 s each
        while django(env, f"""
from dateline.newsroom.models import Article
result = Article.objects.get(pk={story}).status
""") != "published":
            assert time.monotonic() < deadline, output.lines
            time.sleep(0.5)
        assert not outlet.done.is_set()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        outlet.close()


def test_a_task_left_running_by_a_killed_worker_runs_again_at_the_next_start(tmp_path):
    """A worker killed mid-task left its row "running" for ever: a published story was never
    analysed, a batch of the archive stayed cut short, across every restart after."""
    env = sqlite_environment(tmp_path)
    prepared.migrate(env)
    worker = subprocess.Popen([*DATELINE, "worker", "--interval", "0.2", "--nice", "0"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    output = Output(worker)
    try:
        output.wait_for("Starting worker", within=60)
        # A task the worker claims, as running, then the worker is killed.
        stranded = django(env, f"""
import socket
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from dateline.search.tasks import optimize_search_index
from django.db import transaction
with transaction.atomic():  # never seen waiting: the live worker would run it first
    row = DBTaskResult.objects.get(id=optimize_search_index.enqueue().id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=[socket.gethostname()[:40] + ":{worker.pid}:default"])
result = str(row.pk)
""")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    again = subprocess.Popen([*DATELINE, "worker", "--interval", "0.2", "--nice", "0"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    output = Output(again)
    try:
        deadline = time.monotonic() + 60
        while django(env, f"""
from django_tasks_db.models import DBTaskResult
result = DBTaskResult.objects.get(pk="{stranded}").status
""") != "SUCCESSFUL":
            assert time.monotonic() < deadline, output.lines
            time.sleep(0.5)
        assert any("left running by a worker that is gone" in line for line in output.lines)
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=30)
