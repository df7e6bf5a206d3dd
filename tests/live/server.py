"""A real `dateline serve` (granian for pages, granian ASGI for the stream) on its own database,
for tests that need the stream as readers meet it: another process, a real socket."""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests import prepared

DATELINE = [sys.executable, "-m", "dateline"]


def free_port_pair() -> int:
    """A port P with P+1 free as well (pages on P, the stream on P+1), chosen below the
    ephemeral range so that many open client connections cannot take P+1 meanwhile."""
    low, _ = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
              .split()) if Path("/proc/sys/net/ipv4/ip_local_port_range").exists() else (32768, 0)
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1025, low - 12_000), low - 2)
        if all(is_free(p) for p in (port, port + 1)):
            return port
    raise RuntimeError("no free pair of ports")


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)  # a server that has just started is asked again soon (each start)


def site_environment(var_dir: Path) -> dict:
    """The suite's database engine (and Redis, when the suite has one), on a database of
    the site's own."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings.dev",
           "DATELINE_VAR_DIR": str(var_dir), "DATELINE_SECRET_KEY": "test-only-not-secret",
           "DATELINE_LIVE_SAFETY_POLL": "30"}
    env.pop("DATELINE_LIVE_URL", None)
    if env.get("DATELINE_DB_ENGINE") == "postgresql":
        name = f"dateline_site_{os.getpid()}_{var_dir.name}".lower()[:60]
        env["DATELINE_DB_NAME"] = name
        admin_sql(env, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return env


def drop_site_database(env: dict) -> None:
    """The database site_environment created, dropped (a test's leftovers fill the cluster)."""
    if env.get("DATELINE_DB_ENGINE") == "postgresql":
        admin_sql(env, f'DROP DATABASE IF EXISTS "{env["DATELINE_DB_NAME"]}" WITH (FORCE)')


def admin_sql(env: dict, *statements: str) -> None:
    import psycopg

    with psycopg.connect(host=env.get("DATELINE_DB_HOST", "127.0.0.1"),
                         port=env.get("DATELINE_DB_PORT", "5432"),
                         user=env.get("DATELINE_DB_USER", "dateline"),
                         password=env.get("DATELINE_DB_PASSWORD", ""),
                         dbname="postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@dataclass
class RunningSite:
    env: dict
    port: int
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def live_url(self) -> str:
        return f"http://127.0.0.1:{self.port + 1}/live/events"

    def django(self, code: str) -> dict:
        """Run code in a Django shell of the site; it sets `result`, returned as JSON."""
        script = f"import json\nresult = None\n{code}\nprint('RESULT=' + json.dumps(result))"
        done = subprocess.run([*DATELINE, "shell", "-c", script], env=self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise AssertionError(done.stderr)
        line = [x for x in done.stdout.splitlines() if x.startswith("RESULT=")][-1]
        return json.loads(line.removeprefix("RESULT="))

    def start_stream_server(self, port: int, workers: int = 1) -> subprocess.Popen:
        granian = str(Path(sys.executable).with_name("granian"))
        process = subprocess.Popen(
            [granian, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--no-ws", "dateline.live.asgi:application"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.processes.append(process)
        wait_for(f"http://127.0.0.1:{port}/live/healthz")
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_site_database(self.env)


def start_site(var_dir: Path, **settings: str) -> RunningSite:
    """`settings`: environment variables of the site's own (DATELINE_...)."""
    env = {**site_environment(var_dir), **settings}
    prepared.migrate(env)
    prepared.collectstatic(env)
    site = RunningSite(env, free_port_pair())
    site.processes.append(subprocess.Popen(
        [*DATELINE, "serve", "--host", "127.0.0.1", "--port", str(site.port), "--no-worker",
         "--threads", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        wait_for(site.url + "/healthz")
        wait_for(f"http://127.0.0.1:{site.port + 1}/live/healthz")
    except Exception:
        site.stop()
        raise
    return site


class EventStream:
    """A reader's connection to the stream, read frame by frame as EventSource would."""

    def __init__(self, url: str, last_event_id: str | None = None, query: str = "") -> None:
        import http.client
        import urllib.parse

        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id.encode()  # raw bytes, as a client may
        self.connection.request("GET", parts.path + (f"?{query}" if query else ""),
                                headers=headers)
        self.response = self.connection.getresponse()
        self.last_id: str | None = None
        self.retry: int | None = None

    def snapshot(self) -> dict:
        """What a stream starts with: the banner's story ({} for none), then the ticker's list;
        neither with an id (they are the present, not events to replay)."""
        banner, latest = self.next_event(), self.next_event()
        assert (banner["event"], latest["event"]) == ("banner", "latest"), (banner, latest)
        assert "id" not in banner and "id" not in latest
        return {"banner": banner["data"], "latest": latest["data"]}

    def next_event(self, timeout: float = 5) -> dict | None:
        """The next event (comments and heartbeats skipped), or None when none comes in time."""
        self.connection.sock.settimeout(timeout)
        event: dict = {}
        try:
            while True:
                raw = self.response.fp.readline()
                if raw == b"":  # the server closed the connection: nothing more will come
                    return None
                line = raw.decode().rstrip("\n")
                if line == "":
                    if "data" in event:
                        if "id" in event:
                            self.last_id = event["id"]
                        event["data"] = json.loads(event["data"])
                        return event
                    event = {}
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                event[name] = value.removeprefix(" ")
                if name == "retry":  # as EventSource does: the wait before it reconnects
                    self.retry = int(value)
        except TimeoutError:
            return None

    def events_until(self, predicate, timeout: float = 5) -> list[dict]:
        """Events read until one matches (it is the last), failing if none does in time."""
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.next_event(deadline - time.monotonic())
            if event is None:
                break
            seen.append(event)
            if predicate(event):
                return seen
        raise AssertionError(f"no matching event within {timeout} s; saw {seen}")

    def close(self) -> None:
        self.connection.close()


PUBLISH = """
import time
from django.contrib.auth.models import Group, User
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Section
editor, made = User.objects.get_or_create(username="desk-editor", defaults={{"is_staff": True}})
if made:
    editor.groups.add(Group.objects.get(name="Editor"))
editor = User.objects.get(pk=editor.pk)
section = Section.objects.first() or Section.objects.create(name="World")
result = []
for headline in {headlines!r}:
    article = Article.objects.create(headline=headline, body="<p>Filed.</p>", section=section,
                                     is_breaking={breaking!r})
    TRANSITIONS["publish"].execute(editor, article)
    result.append({{"id": article.pk, "committed": time.time(),
                   "url": article.get_absolute_url()}})
    time.sleep({pause!r})
"""


def publish(site: RunningSite, headline: str, breaking: bool = False) -> dict:
    return publish_many(site, [headline], breaking)[0]


def publish_many(site: RunningSite, headlines: list[str], breaking: bool = False,
                 pause: float = 0) -> list[dict]:
    """Each headline published in turn, `pause` seconds apart, in one shell: a shell's start
    costs a second."""
    return site.django(PUBLISH.format(headlines=headlines, breaking=breaking, pause=pause))
