"""`make bench`: Dateline's pages against nginx serving the same article as a static file.

Everything runs on loopback and stops by itself: wrk for a fixed time against each URL.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import production
import readership
from corpus import ROOT, build, environment
from figures import decimals
from processes import stop, wait_for

VAR = ROOT / "var" / "bench"
# The live stream (`dateline serve` starts it too) gets its own port, clear of nginx's.
APP_PORT, NGINX_PORT, LIVE_PORT = 8101, 8102, 8104
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
TARGETS = {"cached article": ("ratio", 0.5), "uncached article": ("rps", 1000),
           "cold article render": ("rps", 500), "uncached home": ("rps", 500),
           "uncached section": ("rps", 800)}
SECTION = "/section/business/"
# The long-tail row's stories, each read once (a few hundred a second for BENCH_SECONDS).
LONG_TAIL = 20_000
# Which page each row requests, and how (bench/page_queries.py counts the queries of each).
PAGES = {"cached article": ("article", "cached"), "cached section": (SECTION, "cached"),
         "cached home": ("/", "cached"), "uncached article": ("article", "parts"),
         "uncached section": (SECTION, "parts"), "uncached home": ("/", "parts"),
         "cold article render": ("article", "cold"), "cold section render": (SECTION, "cold"),
         "cold home render": ("/", "cold")}




def wrk(url: str, script: Path | None = None, server: subprocess.Popen | None = None) -> dict:
    """wrk's figures; with `server`, also the CPU its processes spent per request, a figure
    that other work on a shared machine moves far less than req/s."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    before = cpu_seconds(server.pid) if server else 0.0
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    spent = cpu_seconds(server.pid) - before if server else None
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": _latency(out, "50%"), "p99": _latency(out, "99%"),
            "errors": int(errors.group(1)) if errors else 0,
            "cpu_ms": spent * 1000 / count if spent is not None and count else None}


def cpu_seconds(session: int) -> float:
    """User and system CPU time of every process in a session: a server started in its own,
    with every worker it started (granian gives each its own process group)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[3]) == session:  # its session, then utime and stime at 11 and 12
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _latency(out: str, label: str) -> float:
    value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def start_dateline(cache: str, fragments: str = "on") -> subprocess.Popen:
    # The readership rows send every beacon from one address for one story: the repeats'
    # allowance (dateline/readership/repeats.py) is checked on each, and set so high that each
    # is counted too, the costliest path a beacon has.
    env = {**environment(VAR), "DATELINE_PAGE_CACHE": cache, "DATELINE_LOG_LEVEL": "WARNING",
           "DATELINE_FRAGMENT_CACHE": fragments, "DATELINE_READERSHIP_REPEATS": str(10**9)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dateline", "serve", "--no-worker", "--workers", "2",
         "--port", str(APP_PORT), "--live-port", str(LIVE_PORT)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{APP_PORT}/")
    except SystemExit:
        stop(server)  # never leave a server behind on the benchmark's port
        raise
    return server




def warm_up(base: str, paths: list[str]) -> None:
    """A fresh server's workers import and connect on their first requests: not timed."""
    for path in [*paths[-20:], SECTION, "/"] * 2:
        urllib.request.urlopen(base + path).read()


def start_nginx(root: Path) -> subprocess.Popen:
    config = root / "nginx.conf"
    config.write_text(f"""
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 100000;
  client_body_temp_path {root}; proxy_temp_path {root}; fastcgi_temp_path {root};
  uwsgi_temp_path {root}; scgi_temp_path {root};
  server {{
    listen 127.0.0.1:{NGINX_PORT};
    location / {{ root {root}; default_type text/html; }}
  }}
}}
""")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-c", str(config), "-g", "daemon off;"],
                               start_new_session=True)
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/article.html")
    return process


def article_paths(count: int) -> list[str]:
    rows = sqlite3.connect(VAR / "dateline.sqlite3").execute(
        "SELECT id, slug FROM newsroom_article WHERE status='published' "
        "ORDER BY (id * 7919) % 100003 LIMIT ?", (count,)).fetchall()
    return [f"/articles/{pk}/{slug}/" for pk, slug in rows]


def rotating_script(paths: list[str], folder: Path) -> Path:
    script = folder / "rotate.lua"
    listed = ",".join(f'"{p}"' for p in paths)
    script.write_text(
        f"paths = {{{listed}}}\ncounter = 0\n"
        "request = function()\n  counter = counter + 1\n"
        "  return wrk.format(nil, paths[(counter % #paths) + 1])\nend\n")
    return script


def first_visits(paths: list[str], folder: Path) -> Path:
    """A wrk script that asks for each path once: wrk's two threads (`wrk -t2`) take every
    other one each."""
    script = folder / "first-visits.lua"
    listed = ",".join(f'"{p}"' for p in paths)
    script.write_text(
        f"paths = {{{listed}}}\nlocal threads = 0\n"
        "function setup(thread)\n  thread:set(\"first\", threads)\n"
        "  threads = threads + 1\nend\n"
        "function init(args)\n  counter = first\nend\n"
        "request = function()\n  counter = counter + 2\n"
        "  return wrk.format(nil, paths[(counter % #paths) + 1])\nend\n")
    return script


def main() -> None:
    for tool in ("wrk", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"{tool} is missing: apt-get install {tool} (make bench does)")
    build(VAR, int(os.environ.get("BENCH_ARTICLES", "100000")))
    # The code may be newer than the database and its static files: bring both up to date.
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "-m", "dateline", *command], env=environment(VAR),
                       check=True)
    # Every story's related list stored, as the worker leaves them on a running site
    # (bench/related_lists.py: a minute and a half once, then nothing to do).
    subprocess.run([sys.executable, "related_lists.py"], cwd=Path(__file__).parent,
                   env={**environment(VAR), "DATELINE_LOG_LEVEL": "WARNING"}, check=True)
    # The last run's pages are set aside now and deleted once the rows are done: deleting
    # tens of thousands of files just before the long-tail row made ext4 skip their freed
    # inodes at every file that row writes (`recently_deleted`, for a minute or more): 5.7 ms
    # of the kernel's time a request instead of 1.3 (bench/README.md).
    discarded = VAR / f"cache.discarded-{os.getpid()}"
    if (VAR / "cache").exists():
        (VAR / "cache").rename(discarded)
    # 500 stories the rows rotate over, then the long-tail row's, which no other row reads
    # (more than it gets through in its run).
    listed = article_paths(500 + LONG_TAIL)
    paths, long_tail = listed[:500], listed[500:]
    hot, base = paths[0], f"http://127.0.0.1:{APP_PORT}"
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        os.chmod(folder, 0o755)
        server = start_dateline("on")
        try:
            html = urllib.request.urlopen(base + hot).read()
            (folder / "article.html").write_bytes(html)
            nginx = start_nginx(folder)
            try:
                results["nginx static article"] = wrk(
                    f"http://127.0.0.1:{NGINX_PORT}/article.html")
            finally:
                stop(nginx)
            for name, path in (("cached article", hot), ("cached section", "/section/business/"),
                               ("cached home", "/")):
                urllib.request.urlopen(base + path).read()  # store it
                results[name] = wrk(base + path, server=server)
            # Not a target: what a crawler walking the archive costs, each story read for the
            # first time (its page and parts rendered and stored, the masthead, live strip and
            # "Most read" already stored, as on a running site).
            results["long-tail article"] = wrk(base + hot, first_visits(long_tail, folder), server)
            # The readership beacon beside the cached article (issue 21; bench/readership.py).
            # Here the app answers them (no nginx); production.py has the targets.
            readership.run(base, hot, readership.story_of(hot), where="the app alone")
        finally:
            stop(server)
        rotate = rotating_script(paths, folder)
        server = start_dateline("off")
        try:
            for path in paths:  # every article's parts rendered once, as readers would
                urllib.request.urlopen(base + path).read()
            results["uncached article"] = wrk(base + hot, rotate, server)
            results["uncached section"] = wrk(base + SECTION, server=server)
            results["uncached home"] = wrk(base + "/", server=server)
        finally:
            stop(server)
        server = start_dateline("off", fragments="off")
        try:
            warm_up(base, paths)
            results["cold article render"] = wrk(base + hot, rotate, server)
            # Not targets: what the listings cost with nothing stored, as after a publication.
            results["cold section render"] = wrk(base + SECTION, server=server)
            results["cold home render"] = wrk(base + "/", server=server)
        finally:
            stop(server)
    for old in VAR.glob("cache.discarded-*"):  # this run's, and any a stopped run left
        shutil.rmtree(old, ignore_errors=True)
    queries = query_counts(hot)
    report(results, len(html), queries)
    # The same article through the production set-up, nginx in front (bench/production.py).
    production.main(prepare=False)


def query_counts(article: str) -> dict[str, int]:
    """SQL queries per request of each row (the hot article stands for the rotating ones)."""
    paths = {"article": article, SECTION: SECTION, "/": "/"}
    out = subprocess.run(
        [sys.executable, "page_queries.py", *paths.values()], cwd=Path(__file__).parent,
        env={**environment(VAR), "DATELINE_LOG_LEVEL": "WARNING"}, capture_output=True,
        text=True, check=True).stdout
    counts = json.loads(out.strip().splitlines()[-1])
    return {name: counts[paths[page]][mode] for name, (page, mode) in PAGES.items()}


def report(results: dict[str, dict], size: int, queries: dict[str, int]) -> None:
    reference = results["nginx static article"]["rps"]
    print(f"\nPages, {DURATION}s each, {CONNECTIONS} connections, wrk -t2 on loopback; "
          f"article page {size / 1024:.0f} KB; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'page':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'x nginx':>9}{'errors':>8}"
          f"{'queries':>9}{'CPU ms':>8}")
    for name, r in results.items():
        cpu = f"{r['cpu_ms']:.2f}" if r.get("cpu_ms") is not None else "-"
        print(f"{name:<22}{r['rps']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
              f"{r['rps'] / reference:>9.2f}{r['errors']:>8}{queries.get(name, '-'):>9}{cpu:>8}")
    print("CPU ms: the server's CPU time (every worker) per request answered.")
    for name, (kind, goal) in TARGETS.items():
        value = results[name]["rps"] / reference if kind == "ratio" else results[name]["rps"]
        verdict = "met" if value >= goal else "NOT met"
        shown = (f"{decimals(value, goal, 2)} of nginx" if kind == "ratio"
                 else f"{value:,.0f} req/s")
        wanted = f"{goal} of nginx" if kind == "ratio" else f"{goal:,} req/s"
        print(f"target {name}: {shown} (target >= {wanted}): {verdict}")


if __name__ == "__main__":
    main()
