"""`make bench-replica`: what a streaming replica costs the desk, which waits for it.

A primary (initdb) and a standby made from it by pg_basebackup, on loopback, in /dev/shm; the
production settings with DATELINE_DB_REPLICA_HOSTS naming the standby, migrated. Then the
desk's own publish action (TRANSITIONS["publish"]) on BENCH_REPLICA_COUNT drafts (default 100)
with the replica named and as many without it (DATELINE_DB_REPLICAS emptied: the reference),
alternately in one process. Prints p50/p95/p99 of a publish each way, the ratio, and the wait
itself: from the commit to the replica having replayed it (dateline/db/replicas.py).
"""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name),
          default=None)
COUNT = int(os.environ.get("BENCH_REPLICA_COUNT", "100"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*argv) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run([*prefix, *map(str, argv)], check=True, capture_output=True, timeout=120)


def start(data: Path, port: int) -> None:
    as_postgres(BIN / "pg_ctl", "-D", data, "-l", data.parent / f"{data.name}.log", "-w",
                "-o", f"-p {port} -c listen_addresses=127.0.0.1 -k {data.parent} -c fsync=off",
                "start")


def clusters(top: Path) -> tuple[int, int]:
    """Start a primary and its standby under `top`; their ports."""
    primary, standby = free_port(), free_port()
    as_postgres(BIN / "initdb", "-D", top / "primary", "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--no-sync", "--wal-segsize=1")
    start(top / "primary", primary)
    as_postgres(BIN / "psql", "-h", "127.0.0.1", "-p", primary, "-U", "postgres", "-qc",
                "CREATE ROLE dateline LOGIN SUPERUSER PASSWORD 'dateline'",
                "-c", "CREATE DATABASE bench_replica OWNER dateline")
    as_postgres(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary, "-U", "postgres",
                "-D", top / "standby", "-R", "-X", "stream", "-c", "fast", "--no-sync")
    start(top / "standby", standby)
    return primary, standby


def measure(primary: int, standby: int, var: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "dateline.settings.prod", "DATELINE_VAR_DIR": str(var),
        "DATELINE_SECRET_KEY": "bench-replica-key-" * 4, "DATELINE_ALLOWED_HOSTS": "127.0.0.1",
        "DATELINE_NEWSDESK_EMAIL": "desk@news.test",
        "DATELINE_SITE_URL": "https://news.test",
        "DATELINE_DB_ENGINE": "postgresql", "DATELINE_DB_NAME": "bench_replica",
        "DATELINE_DB_HOST": "127.0.0.1", "DATELINE_DB_PORT": str(primary),
        "DATELINE_DB_USER": "dateline", "DATELINE_DB_PASSWORD": "dateline",
        "DATELINE_DB_REPLICA_HOSTS": f"127.0.0.1:{standby}", "DATELINE_LOG_LEVEL": "WARNING",
    })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from dateline.db import replicas
    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.models import Article, Section
    from dateline.newsroom.roles import EDITOR

    call_command("migrate", interactive=False, verbosity=0)
    editor = get_user_model().objects.create(username="bench-replica-editor", is_staff=True)
    editor.groups.set([Group.objects.get(name=EDITOR)])
    section = Section.objects.create(name="Bench")
    drafts = [Article.objects.create(headline=f"Bench story {n}", section=section,
                                     body="<p>A first sentence. A second one.</p>",
                                     created_by=editor) for n in range(2 * COUNT)]
    named = settings.DATELINE_DB_REPLICAS
    waits: list[float] = []
    wait = replicas.wait_for_replicas

    def timed_wait() -> None:
        started = time.perf_counter()
        wait()
        waits.append(time.perf_counter() - started)

    replicas.wait_for_replicas = timed_wait  # after_writes looks it up in the module
    times: dict[str, list[float]] = {"with the replica": [], "primary alone": []}
    for number, draft in enumerate(drafts):
        way = "with the replica" if number % 2 else "primary alone"
        settings.DATELINE_DB_REPLICAS = named if number % 2 else []
        started = time.perf_counter()
        TRANSITIONS["publish"].execute(editor, draft)
        times[way].append(time.perf_counter() - started)
    assert Article.objects.using("replica1").filter(status="published").count() == 2 * COUNT

    def row(name: str, values: list[float], reference: float) -> str:
        cuts = statistics.quantiles([v * 1000 for v in values], n=100)
        p50 = statistics.median(values) * 1000
        return (f"| {name} | {len(values)} | {p50:.2f} | {cuts[94]:.2f} | {cuts[98]:.2f} | "
                f"{p50 / reference:.2f} |")

    reference = statistics.median(times["primary alone"]) * 1000
    print("| publish | runs | p50 ms | p95 ms | p99 ms | x primary alone p50 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, values in times.items():
        print(row(name, values, reference))
    print(row("the wait alone (commit to replayed)", waits, reference))


def main() -> None:
    if BIN is None:
        sys.exit("PostgreSQL's server is not installed: apt-get install postgresql")
    memory = Path("/dev/shm")
    top = Path(tempfile.mkdtemp(prefix="bench-replica-",
                                dir=memory if os.access(memory, os.W_OK) else None))
    if os.getuid() == 0:
        shutil.chown(top, "postgres")
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    try:
        primary, standby = clusters(top)
        var = top / "var"
        var.mkdir()
        measure(primary, standby, var)
    finally:
        for name in ("standby", "primary"):
            if (top / name / "postmaster.pid").exists():
                as_postgres(BIN / "pg_ctl", "-D", top / name, "-m", "fast", "-w", "stop")
        shutil.rmtree(top, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
