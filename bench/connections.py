"""`make bench-connections`: a new reader's page while 1,000 idle keep-alive connections and
200 slow clients are open, on `dateline serve` alone (as `make run` starts it) and behind
nginx with deploy/nginx.conf.

Everything runs on loopback and stops by itself. A held connection that the server closes (an
idle one after granian's header timeout) is opened again at once, as a browser or an attacker
would, so the pressure lasts for the whole measurement.
"""

import asyncio
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import CORPUS, ROOT, environment
from processes import stop, wait_for

VAR = ROOT / "var" / "bench-connections"
APP_PORT, LIVE_PORT, NGINX_PORT = 8111, 8112, 8113  # clear of the other benchmarks' ports
IDLE = int(os.environ.get("BENCH_IDLE", "1000"))
SLOW = int(os.environ.get("BENCH_SLOW", "200"))  # half trickle headers, half bodies
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
STORIES = 200
TARGET_P99_MS = 100.0
# A reader who gets nothing within this has met the failure mode (granian's 30 s wait).
GIVE_UP_S = 35.0


def prepare() -> str:
    """A small site: migrated, static files collected, a few real stories imported (once)."""
    env = environment(VAR)
    database = VAR / "dateline.sqlite3"
    if not database.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        sample = VAR / "sample.jsonl"
        source = CORPUS / "bbc-news" / "articles.jsonl"
        with source.open(encoding="utf-8") as lines:
            sample.write_text("".join(next(lines) for _ in range(STORIES)), encoding="utf-8")
        for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"],
                        ["import", "--profile", str(ROOT / "demo" / "bbc.toml"), str(sample)]):
            subprocess.run([sys.executable, "-m", "dateline", *command], env=env, check=True,
                           stdout=subprocess.DEVNULL)
    pk, slug = sqlite3.connect(database).execute(
        "SELECT id, slug FROM newsroom_article WHERE status='published' ORDER BY id LIMIT 1"
    ).fetchone()
    return f"/articles/{pk}/{slug}/"


def start_serve(*options: str) -> subprocess.Popen:
    """`dateline serve` with its defaults, as `make run` starts it, plus options."""
    # The pages it writes for nginx, where nginx_site's configuration reads them, as in
    # production (deploy/nginx.conf needs the headers.conf its workers write there).
    env = {**environment(VAR), "DATELINE_LOG_LEVEL": "WARNING",
           "DATELINE_PAGE_FILES_DIR": str(VAR / "pages")}
    log = (VAR / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--port", str(APP_PORT),
         "--live-port", str(LIVE_PORT), *options],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{APP_PORT}/healthz", log=str(log.name))
    except SystemExit:
        stop(server)
        raise
    return server


def nginx_site(folder: Path) -> str:
    """deploy/nginx.conf on loopback: plain HTTP on NGINX_PORT, the bench's app and live ports,
    the bench's var directory; every other directive as shipped."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{NGINX_PORT};", site)
    site = re.sub(r"\n\s*(listen \[::\]|ssl_)[^\n]*", "", site)
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{APP_PORT}")
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{LIVE_PORT}")
    site = site.replace("/var/lib/dateline", str(VAR))
    return site.replace("/var/cache/nginx", str(folder / "cache"))  # its micro-cache


def start_nginx(folder: Path) -> subprocess.Popen:
    # The main configuration the README asks for: connections enough for the readers and for
    # the upstream connections each of them may need.
    os.chmod(folder, 0o755)  # nginx's workers (nobody) make the micro-cache in it
    (folder / "cache").mkdir()
    (folder / "site.conf").write_text(nginx_site(folder))
    (folder / "nginx.conf").write_text(f"""
worker_processes auto;
worker_rlimit_nofile 16384;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {folder}; proxy_temp_path {folder}; fastcgi_temp_path {folder};
  uwsgi_temp_path {folder}; scgi_temp_path {folder};
  include {folder}/site.conf;
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                               start_new_session=True)
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/healthz")
    return process


async def request(port: int, path: str, keep: bool = False, reader=None, writer=None):
    """One GET; its status and the open connection (closed unless keep)."""
    if writer is None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    connection = "keep-alive" if keep else "close"
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: {connection}\r\n"
                 f"Accept-Encoding: gzip\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if length:
        await reader.readexactly(int(length.group(1)))
    elif re.search(rb"(?i)\r\ntransfer-encoding: *chunked", head):
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    elif not keep:
        await reader.read()
    if not keep:
        writer.close()
    return int(head.split()[1]), reader, writer


async def timed(port: int, path: str) -> float:
    """A new reader: a fresh connection, one page; milliseconds (GIVE_UP_S when none came)."""
    start = time.perf_counter()
    try:
        status, _, _ = await asyncio.wait_for(request(port, path), GIVE_UP_S)
    except (TimeoutError, OSError, asyncio.IncompleteReadError):
        return GIVE_UP_S * 1000
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    return (time.perf_counter() - start) * 1000


async def series(port: int, path: str, count: int) -> dict:
    times = sorted([await timed(port, path) for _ in range(count)])
    return {"p50": statistics.median(times), "p99": times[int(len(times) * 0.99) - 1],
            "max": times[-1]}


class Crowd:
    """Idle keep-alive readers and slow clients, each reconnecting whenever it is closed."""

    def __init__(self, port: int) -> None:
        self.port, self.tasks, self.reconnects = port, [], 0
        self.open = {"idle": 0, "slow headers": 0, "slow bodies": 0}

    def start(self, idle: int, slow: int) -> None:
        for kind, count in (("idle", idle), ("slow headers", slow // 2),
                            ("slow bodies", slow - slow // 2)):
            self.tasks += [asyncio.create_task(self._client(kind)) for _ in range(count)]

    async def _client(self, kind: str) -> None:
        while True:
            writer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.open[kind] += 1
                try:
                    if kind == "idle":
                        await request(self.port, "/healthz", True, reader, writer)
                        await reader.read()  # until the server closes it
                    else:
                        await self._trickle(kind, writer)
                finally:
                    self.open[kind] -= 1
            except (OSError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.5)
            finally:
                if writer is not None:
                    writer.close()
            self.reconnects += 1

    @staticmethod
    async def _trickle(kind: str, writer) -> None:
        if kind == "slow headers":
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        else:
            writer.write(b"POST /report/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000000\r\n\r\n")
        while True:  # a byte a second until the server gives up on it
            await writer.drain()
            await asyncio.sleep(1)
            if writer.is_closing() or writer.transport.get_extra_info("socket") is None:
                return
            writer.write(b"a")

    async def settle(self, idle: int, slow: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while sum(self.open.values()) < idle + slow and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()


async def load(port: int, path: str, seconds: float, connections: int = 64) -> None:
    """Readers who keep coming back: fills nginx's pool of upstream connections."""
    async def reader() -> None:
        _, r, w = await request(port, path, True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                await request(port, path, True, r, w)
            except (asyncio.IncompleteReadError, ConnectionError):
                # nginx closes a connection after 1,000 requests (keepalive_requests), which
                # readers served from the page's file reach within the 3 s: open another.
                w.close()
                _, r, w = await request(port, path, True)
        w.close()

    await asyncio.gather(*(reader() for _ in range(connections)))


async def measure(front: int, path: str, through_nginx: bool) -> dict:
    results = {"reference": await series(front, path, REQUESTS)}
    if through_nginx:
        await load(front, path, 3)
    crowd = Crowd(front)
    crowd.start(IDLE, SLOW)
    await crowd.settle(IDLE, SLOW)
    held = dict(crowd.open)
    results["crowd"] = await series(front, path, REQUESTS)
    # A load balancer's probe goes straight to the app server.
    results["healthz"] = await series(APP_PORT, "/healthz", REQUESTS // 4)
    results["held"], results["reconnects"] = held, crowd.reconnects
    crowd.stop()
    await asyncio.gather(*crowd.tasks, return_exceptions=True)
    return results


def main() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the crowd's sockets
    if hard < 4 * (IDLE + SLOW):
        raise SystemExit(f"the file limit ({hard}) is too low for {IDLE + SLOW} clients")
    path = prepare()
    results = {}
    server = start_serve()
    try:
        results["dateline serve"] = asyncio.run(measure(APP_PORT, path, False))
    finally:
        stop(server)
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        print("nginx is missing (scripts/system-deps nginx): measured without it")
    else:
        # As deploy/dateline-web.service runs it: nginx buffers bodies, no spare threads.
        server = start_serve("--slow-body-threads", "0")
        try:
            with tempfile.TemporaryDirectory() as folder:
                nginx = start_nginx(Path(folder))
                try:
                    results["behind nginx"] = asyncio.run(measure(NGINX_PORT, path, True))
                finally:
                    stop(nginx)
        finally:
            stop(server)
    report(results)


def report(results: dict) -> None:
    print(f"\nA new reader's article page, {REQUESTS} requests one after another, each on a new "
          f"connection; {os.cpu_count()} cores")
    print(f"{'set-up, connections held open':<62}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>9}"
          f"{'x ref p99':>10}{'healthz p99':>12}")
    for name, r in results.items():
        held = " + ".join(f"{v} {k}" for k, v in r["held"].items())
        ref, crowd = r["reference"], r["crowd"]
        print(f"{name + ', none (reference)':<62}{ref['p50']:>8.2f}{ref['p99']:>8.2f}"
              f"{ref['max']:>9.2f}{1:>10.2f}")
        print(f"{name + ', ' + held:<62}{crowd['p50']:>8.2f}{crowd['p99']:>8.2f}"
              f"{crowd['max']:>9.2f}{crowd['p99'] / ref['p99']:>10.2f}"
              f"{r['healthz']['p99']:>12.2f}")
        print(f"  (held connections the server closed and the client opened again: "
              f"{r['reconnects']})")
    for name, r in results.items():
        label = "connections-p99" if name == "dateline serve" else "connections-nginx-p99"
        worst = max(r["crowd"]["p99"], r["healthz"]["p99"])
        verdict = "met" if worst < TARGET_P99_MS else "NOT met"
        print(f"target {label}: {worst:.1f} ms (target < {TARGET_P99_MS:.0f} ms): {verdict}")


if __name__ == "__main__":
    main()
