"""A real PostgreSQL streaming replica on loopback, behind the production settings.

A primary of its own (initdb) and a standby made from it by pg_basebackup (standby.signal,
primary_conninfo), which applies each change RECOVERY_DELAY_MS late, as a lagging replica
would; then `dateline serve` and the desk's own publishing action run with
DATELINE_DB_REPLICA_HOSTS naming the standby (dateline/settings/prod.py, dateline/db/config.py,
the router). Both servers log every statement with the client's application name (PGAPPNAME:
"site" for the web server, "desk" for the newsroom), which says where each read and write went.
"""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

import pytest
from django.db import connection

from dateline.db.replicas import PRIMARY_POSITION_SQL

ROOT = Path(__file__).resolve().parents[2]
# The newest installed server, as scripts/test-postgres picks it.
BIN = max(Path("/usr/lib/postgresql").glob("*[0-9]/bin"), key=lambda p: int(p.parent.name),
          default=None)
TOOLS = ("initdb", "pg_ctl", "pg_basebackup", "psql")

pytestmark = [
    pytest.mark.skipif(
        BIN is None or not all((BIN / tool).exists() for tool in TOOLS),
        reason="PostgreSQL's server binaries are not installed (make test installs them)",
    ),
    # It brings its own clusters, so once is enough: with the suite that runs on PostgreSQL
    # (make test runs both at once, on the same cores).
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the streaming replica test runs with the PostgreSQL suite (make test-postgres)",
    ),
]

# Long enough that the reader of step 2 asks before the replica applies the change even on a
# machine loaded by the SQLite suite beside it (at 1.5 s, one loaded run's reader came late).
RECOVERY_DELAY_MS = 4000
DATABASE = "site"
USER = PASSWORD = "dateline"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CommandFailed(Exception):
    pass


class Cluster:
    """One PostgreSQL server in `directory`, run as the postgres user when the test is root."""

    def __init__(self, directory: Path, port: int, settings: list[str]) -> None:
        self.data, self.log, self.port = directory / "data", directory / "server.log", port
        self.settings = settings

    def run(self, *argv) -> subprocess.CompletedProcess:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        done = subprocess.run([*as_postgres, *argv], capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode:
            raise CommandFailed(f"{argv[0]} exited with {done.returncode}: "
                                f"{(done.stderr or done.stdout)[-2000:]}")
        return done

    def start(self) -> None:
        options = " ".join(["-p", str(self.port), "-c listen_addresses=127.0.0.1",
                            f"-k {self.data.parent}", *(f"-c {s}" for s in self.settings)])
        self.run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                 "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def sql(self, statement: str) -> str:
        return self.run(BIN / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-d", "postgres", "-tAc", statement).stdout.strip()

    def mark(self) -> int:
        return self.log.stat().st_size

    def statements(self, since: int, client: str) -> list[str]:
        """What `client` sent this server since the log was `since` bytes long."""
        with self.log.open(encoding="utf-8", errors="replace") as log:
            log.seek(since)
            lines = log.read().splitlines()
        prefix = re.compile(rf"^{client}\|\S+ +LOG: +(?:statement|execute [^:]*): (.*)$")
        return [found.group(1) for line in lines if (found := prefix.match(line))]

    def errors(self, since: int) -> list[str]:
        with self.log.open(encoding="utf-8", errors="replace") as log:
            log.seek(since)
            return [line for line in log.read().splitlines() if "ERROR:" in line]


@pytest.fixture(scope="module")
def clusters():
    """A primary and its streaming standby, both logging every statement."""
    # Not under pytest's temporary folder, which only root may enter; in memory where there is
    # some (deleting two clusters from a busy disk took 14 s).
    memory = Path("/dev/shm")
    top = Path(tempfile.mkdtemp(prefix="dateline-replica-",
                                dir=memory if os.access(memory, os.W_OK) else None))
    for name in ("primary", "standby"):
        (top / name).mkdir()
        if os.getuid() == 0:
            shutil.chown(top / name, "postgres")
    if os.getuid() == 0:
        shutil.chown(top, "postgres")
    try:
        yield from _replicated(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _replicated(top: Path):
    logged = ["log_statement=all", "log_line_prefix='%a|%p '", "fsync=off"]
    primary = Cluster(top / "primary", free_port(), logged)
    standby = Cluster(top / "standby", free_port(),
                      [*logged, f"recovery_min_apply_delay={RECOVERY_DELAY_MS}ms"])
    # Write-ahead log in 1 MB segments instead of 16: less to copy and to delete afterwards.
    primary.run(BIN / "initdb", "-D", primary.data, "-U", "postgres", "-A", "trust", "-E",
                "UTF8", "--no-sync", "--wal-segsize=1")
    primary.start()
    try:
        primary.sql(f"CREATE ROLE {USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
        primary.sql(f"CREATE DATABASE {DATABASE} OWNER {USER}")
        # The standby: a copy of the primary that streams its WAL (-R writes standby.signal
        # and primary_conninfo).
        primary.run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                    "postgres", "-D", standby.data, "-R", "-X", "stream", "-c", "fast",
                    "--no-sync")
        standby.start()
        try:
            assert standby.sql("SELECT pg_is_in_recovery()") == "t"
            yield primary, standby
        finally:
            # Fast, not immediate: an immediate stop leaves its shared memory in /dev/shm.
            with suppress(CommandFailed):  # already stopped
                standby.stop()
    finally:
        primary.stop()


def site_environment(var: Path, primary, standby=None, client: str = "site") -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATELINE_", "PROMETHEUS_", "DJANGO_", "PG"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.db.replica_settings", "DATELINE_VAR_DIR": str(var),
        "PYTHONPATH": str(ROOT), "PGAPPNAME": client,
        "DATELINE_SECRET_KEY": "replica-test-key-" * 4, "DATELINE_ALLOWED_HOSTS": "127.0.0.1",
        "DATELINE_NEWSDESK_EMAIL": "desk@news.test",
        "DATELINE_SITE_URL": "https://news.test",
        "DATELINE_HTTPS": "0", "DATELINE_DB_ENGINE": "postgresql", "DATELINE_DB_NAME": DATABASE,
        "DATELINE_DB_HOST": "127.0.0.1", "DATELINE_DB_PORT": str(primary.port),
        "DATELINE_DB_USER": USER, "DATELINE_DB_PASSWORD": PASSWORD,
    })
    if standby is not None:
        env["DATELINE_DB_REPLICA_HOSTS"] = f"127.0.0.1:{standby.port}"
    return env


def run(argv: list, env: dict) -> str:
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Desk:
    """The newsroom's process (replica_desk.py desk): one publication at a time."""

    def __init__(self, env: dict, site: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/db/replica_desk.py"), "desk", site], env=env,
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def publish(self, pk: int, wait_ms: int | None = None) -> dict:
        self.process.stdin.write(f"publish {pk} {'' if wait_ms is None else wait_ms}\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, "the desk stopped (its error is above)"
        return json.loads(answer)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def get(port: int, path: str) -> tuple[int, str]:
    """One request, redirects not followed (a short article link answers 301 from the
    database, never from the page cache)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def site(clusters, tmp_path_factory):
    """The migrated, seeded site served by `dateline serve` in production settings."""
    primary, standby = clusters
    var = tmp_path_factory.mktemp("var")
    (var / "prometheus").mkdir()
    # Migrated and seeded before the replica is named, so without waiting for it.
    seeded = json.loads(run([sys.executable, str(ROOT / "tests/db/replica_desk.py"), "setup"],
                            site_environment(var, primary, client="setup")))
    # The replica applies changes late: the tests start once it has the seeded site, or the
    # server would rightly read from the primary until then.
    position = primary.sql(PRIMARY_POSITION_SQL)
    deadline = time.monotonic() + 30
    while standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{position}'") != "t":
        assert time.monotonic() < deadline, "the replica did not catch up within 30 s"
        time.sleep(0.1)
    port = free_port()
    env = {**site_environment(var, primary, standby),
           "PROMETHEUS_MULTIPROC_DIR": str(var / "prometheus")}
    log = var / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            # One thread, as behind nginx (no threads kept for slow request bodies): each
            # request reads on the same kept replica connection. With granian's spare threads
            # a request now and then ran on a new thread, whose new connection found the
            # paused replica behind and read from the primary (step 2 failed once in eight).
            [sys.executable, "-m", "dateline", "serve", "--no-worker", "--no-live",
             "--workers", "1", "--threads", "1", "--slow-body-threads", "0",
             "--port", str(port)],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
        desk = Desk(site_environment(var, primary, standby, client="desk"),
                    f"http://127.0.0.1:{port}")
        try:
            yield {"port": port, "seeded": seeded, "desk": desk}
        finally:
            desk.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_reads_on_the_replica_writes_on_the_primary_and_serving_without_it(clusters, site):
    primary, standby = clusters
    port, seeded, desk = site["port"], site["seeded"], site["desk"]
    (published_pk, published_url), drafts = seeded["published"], seeded["drafts"]

    # 1. Readers' pages are read from the replica; the primary is not asked for a story.
    on_primary, on_standby = primary.mark(), standby.mark()
    for path in ("/", seeded["section"], published_url, f"/articles/{published_pk}/"):
        status, page = get(port, path)
        assert status in (200, 301), (path, status)
        assert status == 301 or "Harbour reopens after the storm" in page
    assert any('"newsroom_article"' in s for s in standby.statements(on_standby, "site"))
    assert not [s for s in primary.statements(on_primary, "site") if '"newsroom_article"' in s]

    # 2. The desk publishes without waiting for the replica: its transaction runs on the
    # primary, and a reader asking at once is answered from the replica, which has not applied
    # it yet: that page, cached, stays stale. The reason the desk waits (step 4).
    on_primary, on_standby = primary.mark(), standby.mark()
    (first_pk, first), (second_pk, second), (third_pk, third) = drafts
    # On loopback a replica replays in about a millisecond, at times before the reader's
    # request reads: held meanwhile (as a busy or distant one is), it has certainly not.
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        assert desk.publish(first_pk, wait_ms=0)["shown"] is False
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    desk_on_primary = primary.statements(on_primary, "desk")
    assert any(s.startswith("UPDATE \"newsroom_article\"") for s in desk_on_primary)
    assert any(s.startswith("SELECT") and "FOR UPDATE" in s for s in desk_on_primary)
    assert not [s for s in standby.statements(on_standby, "desk")
                if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert standby.errors(on_standby) == []

    # 3. Once the replica catches up, the story's own page (never cached) appears.
    deadline = time.monotonic() + 20
    while get(port, f"/articles/{first_pk}/")[0] != 301:
        assert time.monotonic() < deadline, "the replica did not catch up within 20 s"
        time.sleep(0.1)

    # 4. Published as the desk does, waiting for the replica before anyone hears of it: the
    # page a reader asks for at once has the new story, and the earlier one too.
    assert desk.publish(second_pk)["shown"] is True
    status, page = get(port, seeded["section"])
    assert status == 200 and first in page and second in page

    # 5. The replica stops: readers are answered from the primary, never with an error.
    standby.stop()
    on_primary = primary.mark()
    assert desk.publish(third_pk)["shown"] is True
    expected = {"/": 200, published_url: 200, f"/articles/{third_pk}/": 301,
                f"/articles/{first_pk}/": 301, "/articles/999999/": 404}
    for path, wanted in expected.items():
        status, page = get(port, path)
        assert status == wanted, (path, status, page[:500])
    assert any('"newsroom_article"' in s for s in primary.statements(on_primary, "site"))
    status, page = get(port, seeded["section"])
    assert status == 200 and third in page

    # 6. Back, it serves reads again after its rest, but only once it has caught up: the story
    # published while it was stopped is never missing.
    standby.start()
    on_standby = standby.mark()
    deadline = time.monotonic() + 20
    while not any('"newsroom_article"' in s for s in standby.statements(on_standby, "site")):
        assert time.monotonic() < deadline, "reads did not return to the replica within 20 s"
        assert get(port, f"/articles/{third_pk}/")[0] == 301
        time.sleep(0.2)


# PostgreSQL's WAL page (XLOG_BLCKSZ, as Debian builds it), and the short header that starts
# every page but a segment's first.
WAL_PAGE, PAGE_HEADER = 8192, 24


def lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def end_a_page(primary: Cluster) -> None:
    """Write WAL until its last record ends exactly at a page's end: messages no one reads
    (pg_logical_emit_message), the last sized to fill the page."""
    def inserted() -> int:
        return lsn(primary.sql("SELECT pg_current_wal_insert_lsn()"))

    def emit(size: int) -> None:
        primary.sql(f"SELECT pg_logical_emit_message(false, 'bench', repeat('a', {size}))")

    # A message's bytes beyond its text, from one that stays on its page; texts past 255 bytes
    # take a longer data header, so every message here is longer than that.
    sizes = []
    for _ in range(2):
        before = inserted()
        emit(400)
        sizes.append(inserted() - before - 400)
    overhead = min(sizes)
    for _ in range(40):
        offset = inserted() % WAL_PAGE
        if offset != PAGE_HEADER:
            left = WAL_PAGE - offset
            emit(left - overhead if left - overhead > 255 else 1000)
            continue
        # Flushed to the page's end by the WAL writer (a message is not flushed by itself),
        # and nothing else written meanwhile (the site's server, autovacuum): else again.
        for _ in range(20):
            gap = primary.sql("SELECT pg_current_wal_insert_lsn() - pg_current_wal_flush_lsn()")
            if gap == str(PAGE_HEADER):
                return
            if int(gap) < PAGE_HEADER or inserted() % WAL_PAGE != PAGE_HEADER:
                break
            time.sleep(0.05)
    raise AssertionError("the WAL never ended at a page's end")


def test_a_write_ending_a_wal_page_is_waited_for_where_the_replica_reaches(clusters):
    """The position the desk waits for after a write (dateline.db.replicas) is one a replica
    replays to. The insert position, which it was, stands past the next page's header when the
    last record ends a page: a quiet primary's replica never reached it, each such write
    waited its whole second and the replica was left out for five (make bench-replica's first
    write hit it at every run, and measured a replica it never used)."""
    primary, standby = clusters

    def replayed(position: str) -> bool:
        return standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{position}'") == "t"

    caught_up = primary.sql(PRIMARY_POSITION_SQL)  # what earlier tests wrote, replayed first
    deadline = time.monotonic() + 30
    while not replayed(caught_up):
        assert time.monotonic() < deadline, "the replica did not catch up within 30 s"
        time.sleep(0.1)
    end_a_page(primary)  # the case: the insert position is past the next page's header
    position = primary.sql(PRIMARY_POSITION_SQL)
    deadline = time.monotonic() + 3
    while not replayed(position):
        assert time.monotonic() < deadline, f"the replica never replayed to {position}"
        time.sleep(0.05)
