"""`make bench`, the production set-up: nginx with deploy/nginx.conf in front of `dateline serve`.

nginx (2 workers, the site of deploy/nginx.conf made plain HTTP on loopback) serves the hot
article as a static file through the site's own `/static/` location, and the same article as a
page of the app: from the file the app wrote of it (DATELINE_PAGE_FILES_DIR, as in production),
else from nginx's micro-cache; wrk measures both, and the app alone, in one run. Then
the freshness check: the article's headline is edited through the newsroom's own saving code
while wrk keeps reading it through nginx, and pollers ask nginx, and the app itself (the
reference: its page cache and its render), every few milliseconds until the new headline
shows: milliseconds from the commit. The headline is put back at the end.

    python production.py        (make bench runs it after pages.py)
"""

import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import readership
from corpus import ROOT, build, environment
from figures import decimals
from processes import stop, wait_for

VAR = ROOT / "var" / "bench"
APP_PORT, LIVE_PORT, NGINX_PORT = 8121, 8122, 8123  # clear of the other benchmarks' ports
CEILING_PORT = 8124
CEILING = "same bytes, app doing nothing"
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
EDITS = int(os.environ.get("BENCH_EDITS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
POLL_S = 0.005
TARGETS = {"nginx ratio": 0.9, "python ratio": 0.6, "fresh ms": 1000.0}


def wrk(url: str, workers: list[int]) -> dict:
    """wrk's figures, and the CPU time `workers` (nginx's) spent per request meanwhile: a cost
    that other sessions' load on a shared machine hardly moves, unlike the rate."""
    before = cpu_seconds(workers)
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "errors": int(errors.group(1)) if errors else 0,
            "cpu_us": (cpu_seconds(workers) - before) / max(count, 1) * 1e6}


def cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def combined(runs: list[dict]) -> dict:
    """Several runs of one URL: the mean rate and p50, the worst p99, every error."""
    return {"rps": statistics.mean(r["rps"] for r in runs),
            "p50": statistics.mean(r["p50"] for r in runs),
            "p99": max(r["p99"] for r in runs), "errors": sum(r["errors"] for r in runs),
            "cpu_us": statistics.mean(r["cpu_us"] for r in runs)}


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def loopback_site(folder: Path) -> str:
    """deploy/nginx.conf as shipped, but plain HTTP on loopback: the bench's ports, its files
    under `folder` instead of /var/lib/dateline and /var/cache/nginx."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{NGINX_PORT};")
    site = re.sub(r"\n\s*(listen \[::\]|ssl_)[^\n]*", "", site)
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{APP_PORT}")
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{LIVE_PORT}")
    site = site.replace("/var/cache/nginx", str(folder / "cache"))
    return site.replace("/var/lib/dateline", str(folder))


def start_nginx(folder: Path) -> subprocess.Popen:
    # The main configuration of bench-connections (README), with 2 workers: one a core.
    (folder / "site.conf").write_text(loopback_site(folder))
    (folder / "nginx.conf").write_text(f"""
worker_processes 2;
worker_rlimit_nofile 16384;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 8192; }}
http {{
  include /etc/nginx/mime.types;
  sendfile on;
  access_log off;
  client_body_temp_path {folder}/temp/body; proxy_temp_path {folder}/temp/proxy;
  fastcgi_temp_path {folder}/temp/fastcgi; uwsgi_temp_path {folder}/temp/uwsgi;
  scgi_temp_path {folder}/temp/scgi;
  include {folder}/site.conf;
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-e", str(folder / "error.log"), "-c",
                                str(folder / "nginx.conf"), "-g", "daemon off;"],
                               start_new_session=True)
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/healthz")
    return process


def start_serve(beacons: Path) -> subprocess.Popen:
    """As deploy/dateline-web.service runs it (2 workers here, one a core), behind the proxy.
    The readership rows send every beacon from one address for one story: the repeats'
    allowance is set so high that each is counted (bench/pages.py says why)."""
    env = {**environment(VAR), "DATELINE_LOG_LEVEL": "WARNING", "DATELINE_BEHIND_PROXY": "1",
           "DATELINE_BEACON_LOG_DIR": str(beacons), "DATELINE_READERSHIP_REPEATS": str(10**9)}
    return started([sys.executable, "-m", "dateline", "serve", "--no-worker", "--workers", "2",
                    "--slow-body-threads", "0", "--port", str(APP_PORT), "--live-port",
                    str(LIVE_PORT)], env, VAR / "production-server.log",
                   f"http://127.0.0.1:{APP_PORT}/healthz")


def started(command: list[str], env: dict, log: Path, ready: str,
            cwd: Path | None = None) -> subprocess.Popen:
    """`command` started in a session of its own, its output in `log`, once `ready` answers."""
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(ready, log=str(log))
    except SystemExit:
        stop(server)
        raise
    return server


def start_ceiling(page: Path, headers: list[tuple[str, str]]) -> subprocess.Popen:
    """granian with the command line `dateline serve` runs the site with (its threads as
    start_serve's serve chooses them), serving ceiling_app.py: the same bytes, no Python."""
    page.with_suffix(".headers.json").write_text(json.dumps(
        [(name, value) for name, value in headers  # the server's own, and urllib's close
         if name.lower() not in ("date", "server", "connection", "keep-alive")]))
    kept = {name: os.environ.get(name) for name in ("DATELINE_THREADS",
                                                     "DATELINE_SLOW_BODY_THREADS")}
    from dateline.ops.serving.granian import web_command

    command = web_command(shutil.which("granian", path=str(Path(sys.executable).parent)),
                          "127.0.0.1", CEILING_PORT, 2, os.cpu_count() or 2, 0)
    for name, value in kept.items():  # web_command tells the site's threads through these
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    command[-1] = "ceiling_app:application"
    return started(command, {**os.environ, "DATELINE_CEILING_PAGE": str(page)},
                   VAR / "production-ceiling.log", f"http://127.0.0.1:{CEILING_PORT}/",
                   cwd=Path(__file__).parent)


def views_counted(pk: int) -> int:
    with sqlite3.connect(VAR / "dateline.sqlite3", timeout=20) as db:
        return db.execute("SELECT COALESCE(SUM(count), 0) FROM readership_tally "
                          "WHERE kind = 'view' AND key = ?", (str(pk),)).fetchone()[0]


def hot_article() -> tuple[int, str]:
    """The article pages.py measures first (its re-sampled order): the same page, both benches."""
    return sqlite3.connect(VAR / "dateline.sqlite3").execute(
        "SELECT id, slug FROM newsroom_article WHERE status='published' "
        "ORDER BY (id * 7919) % 100003 LIMIT 1").fetchone()


class Editor:
    """The desk's save, as dateline/newsroom/desk/article_admin.py makes it: a new version
    claimed, the article saved, a revision recorded, the save announced; one transaction."""

    def __init__(self, pk: int) -> None:
        os.environ.update(environment(VAR))
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        self.user, _ = get_user_model().objects.get_or_create(
            username="bench-production-editor", defaults={"is_staff": True})
        self.pk = pk

    def headline(self) -> str:
        from dateline.newsroom.models import Article

        return Article.objects.get(pk=self.pk).headline

    def save(self, headline: str) -> float:
        """Save the new headline; time.monotonic() at the commit."""
        from django.db import transaction

        from dateline.newsroom.actions.save import announce_saved, claim_version, record_revision
        from dateline.newsroom.models import Article

        committed: list[float] = []
        with transaction.atomic():
            # The first on-commit hook, so it runs before the page cache's invalidation.
            transaction.on_commit(lambda: committed.append(time.monotonic()))
            article = Article.objects.select_for_update().get(pk=self.pk)
            claim_version(article, article.version)
            article.headline = headline
            article.save(update_fields=["headline", "version"])
            record_revision(article, self.user)
            announce_saved(article)
        return committed[0]


class Watch(threading.Thread):
    """A reader asking for url every POLL_S until `text` shows: `seen` is time.monotonic() then."""

    def __init__(self, url: str, text: str, timeout: float = 10) -> None:
        super().__init__(daemon=True)
        self.url, self.text, self.timeout = url, text.encode(), timeout
        self.seen, self.last = None, ""

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as answer:
                    body = answer.read()
                    self.last = f"{answer.status} {answer.headers.get('X-Proxy-Cache')}"
            except OSError as error:  # an error answer is seen too, and said at the end
                body, self.last = b"", str(error)
            if self.text in body:
                self.seen = time.monotonic()
                return
            time.sleep(POLL_S)


def freshness(path: str, pk: int) -> dict[str, list[float]]:
    """Edit the headline EDITS times under load; milliseconds from each commit to first sight
    through nginx and, the reference, straight from the app (its page cache, its render)."""
    editor = Editor(pk)
    original = editor.headline()
    urls = {"through nginx": f"http://127.0.0.1:{NGINX_PORT}{path}",
            "app alone": f"http://127.0.0.1:{APP_PORT}{path}"}
    load = subprocess.Popen(["wrk", "-t1", "-c8", f"-d{EDITS * 2 + 5}s", urls["through nginx"]],
                            stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {name: [] for name in urls}
    try:
        for n in range(EDITS):
            headline = f"{original} (bench edit {n} {time.time():.3f})"
            watches = {name: Watch(url, headline) for name, url in urls.items()}
            for watch in watches.values():
                watch.start()
            time.sleep(0.3 + (n % 5) * 0.137)  # commits fall anywhere in nginx's half-seconds
            committed = editor.save(headline)
            for name, watch in watches.items():
                watch.join()
                if watch.seen is None:
                    raise SystemExit(f"edit {n} did not show at {watch.url} within "
                                     f"{watch.timeout:.0f}s (last answer: {watch.last})")
                times[name].append((watch.seen - committed) * 1000)
    finally:
        editor.save(original)
        load.terminate()
        load.wait()
    return times


def main(prepare: bool = True) -> None:
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"{tool} is missing: apt-get install {tool} (make bench does)")
    if prepare:
        build(VAR, int(os.environ.get("BENCH_ARTICLES", "100000")))
        subprocess.run([sys.executable, "-m", "dateline", "migrate", "--noinput", "-v0"],
                       env=environment(VAR), check=True)
    for port in (APP_PORT, LIVE_PORT, NGINX_PORT, CEILING_PORT):
        with socket.socket() as probe:  # a server left behind would answer for ours
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is taken: stop what listens there first")
    started_load = os.getloadavg()[0]
    # The page rows' servers (pages.py, run just before in `make bench`) stored pages made under
    # their own settings: the live stream's port in the Content-Security-Policy, which this
    # server's pages name otherwise. It starts with none of them, as a site does with one set
    # of settings (they were answered to its readers, and were never its files for nginx).
    discarded = VAR / f"cache.discarded-production-{os.getpid()}"
    if (VAR / "cache").exists():
        (VAR / "cache").rename(discarded)
    try:
        measured = _measure(started_load)
    finally:
        shutil.rmtree(discarded, ignore_errors=True)
    report(*measured)


def _measure(started_load: float) -> tuple:
    pk, slug = hot_article()
    path = f"/articles/{pk}/{slug}/"
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.chmod(folder, 0o755)  # nginx's workers (nobody) make their cache and temp here
        for sub in ("static", "temp", "cache"):  # nginx makes only the last folder of a path
            (folder / sub).mkdir()
        # nginx's workers write the beacons' lines there, the app reads and deletes them.
        (folder / "beacons").mkdir(mode=0o777)
        os.chmod(folder / "beacons", 0o777)
        # The server and the editor learn of invalidations from a board of their own: another
        # benchmark emptying var/bench/cache meanwhile (pages.py does) cannot part them.
        os.environ["DATELINE_PAGE_CACHE_BOARD"] = str(folder / "generation")
        # The pages the app writes for nginx (deploy/nginx.conf reads them under folder/pages):
        # the editor's process (below) leaves them at its commit, as the desk's workers do.
        (folder / "pages").mkdir(mode=0o755)
        os.environ["DATELINE_PAGE_FILES_DIR"] = str(folder / "pages")
        server = start_serve(folder / "beacons")
        try:
            wait_for(f"http://127.0.0.1:{APP_PORT}{path}")  # rendered and stored once
            with urllib.request.urlopen(f"http://127.0.0.1:{APP_PORT}{path}") as answer:
                page, headers = answer.read(), answer.getheaders()
            (folder / "static" / "article.html").write_bytes(page)
            nginx = start_nginx(folder)
            served_as = how_served(f"http://127.0.0.1:{NGINX_PORT}{path}")
            (folder / "ceiling.html").write_bytes(page)
            ceiling = start_ceiling(folder / "ceiling.html", headers)
            try:
                front = f"http://127.0.0.1:{NGINX_PORT}"
                urls = {"nginx static article": front + "/static/article.html",
                        "cached article through nginx": front + path,
                        "cached article, app alone": f"http://127.0.0.1:{APP_PORT}{path}",
                        CEILING: f"http://127.0.0.1:{CEILING_PORT}/"}
                # In turns, ROUNDS times: a shared machine's load moves during a run.
                workers = [pid for pid in children(nginx.pid)  # not the cache's helpers
                           if b"worker process" in Path(f"/proc/{pid}/cmdline").read_bytes()]
                runs = [(name, wrk(url, workers)) for _ in range(ROUNDS)
                        for name, url in urls.items()]
                results = {name: combined([r for n, r in runs if n == name]) for name in urls}
                fresh = freshness(path, pk)
                # The beacons, answered by nginx and counted from its lines (issue 21).
                readership.run(front, path, pk, where="through nginx",
                               counted=lambda: views_counted(pk))
            finally:
                stop(nginx)
                stop(ceiling)
        finally:
            stop(server)
    return results, fresh, len(page), started_load, served_as


def how_served(url: str) -> str:
    """What nginx answered the page from, once it has been asked for it: the app's file of it,
    or its micro-cache (the app's answers carry X-Proxy-Cache)."""
    for _ in range(3):
        with urllib.request.urlopen(url) as answer:
            answer.read()
            status = answer.headers.get("X-Proxy-Cache")
    return "the app's file of it" if status is None else f"the micro-cache ({status})"


def report(results: dict[str, dict], fresh: dict[str, list[float]], size: int,
           load: float, served_as: str) -> None:
    reference = results["nginx static article"]["rps"]
    print(f"\nProduction set-up: nginx (2 workers, deploy/nginx.conf on loopback) in front of "
          f"`dateline serve --workers 2`; {ROUNDS} x {DURATION}s each, in turns, {CONNECTIONS} "
          f"connections, wrk -t2; "
          f"article page {size / 1024:.0f} KB; {os.cpu_count()} cores; load average {load:.1f} "
          f"at the start, {os.getloadavg()[0]:.1f} at the end; the cached article served "
          f"through nginx from {served_as}")
    print(f"{'page':<32}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'x nginx':>9}{'errors':>8}"
          f"{'nginx CPU us/req':>18}")
    for name, r in results.items():
        cpu = f"{r['cpu_us']:.1f}" if "nginx" in name else "-"
        print(f"{name:<32}{r['rps']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
              f"{r['rps'] / reference:>9.2f}{r['errors']:>8}{cpu:>18}")
    static, cached = (results[name]["cpu_us"] for name in list(results)[:2])
    print(f"nginx's CPU per request: the static file {static:.1f} us, the cached article "
          f"{cached:.1f} us (static / cached {static / cached:.2f}; load hardly moves these)")
    alone, ceiling = (results[name]["rps"] for name in ("cached article, app alone", CEILING))
    print(f"The server's ceiling: granian, started as serve starts the site, answering with the "
          f"same bytes from an application that does nothing: {ceiling / reference:.2f} of "
          f"nginx; the app alone is {alone / ceiling:.2f} of that ceiling")
    print(f"\nA published edit, {EDITS} edits of the headline while wrk -c8 reads the page "
          f"through nginx: ms from commit to first sight (polled every {POLL_S * 1000:.0f} ms)")
    for name, found in fresh.items():
        print(f"  {name:<16} p50 {statistics.median(found):>6.0f}  max {max(found):>6.0f}  "
              + json.dumps([round(t) for t in found]))
    added = [a - b for a, b in zip(fresh["through nginx"], fresh["app alone"], strict=True)]
    print(f"  nginx added at most {max(added):.0f} ms to an edit's first sight (p50 "
          f"{statistics.median(added):.0f})")
    nginx = results["cached article through nginx"]["rps"] / reference
    python = results["cached article, app alone"]["rps"] / reference
    for name, value, goal, unit in (
            ("production cached article", nginx, TARGETS["nginx ratio"], " of nginx"),
            ("python cached article", python, TARGETS["python ratio"], " of nginx")):
        verdict = "met" if value >= goal else "NOT met"
        print(f"target {name}: {decimals(value, goal, 2)}{unit} (target >= {goal}{unit}): "
              f"{verdict}")
    worst, goal = max(fresh["through nginx"]), TARGETS["fresh ms"]
    print(f"target production freshness: {worst:.0f} ms, the slowest of {EDITS} edits through "
          f"nginx (target < {goal:.0f} ms): {'met' if worst < goal else 'NOT met'}")


if __name__ == "__main__":
    main()
