"""`make bench-search`: search latency on 100k and 1M re-sampled corpus articles, per backend.

Each database is built once by `corpus.py` (the 1M one takes several minutes), migrated, and
indexed with `dateline search reindex`; then a fixed set of realistic queries runs in a fresh
process per database, each repeated, and p50/p95 are printed as a table. Then hostile query
strings go through the whole public stack (middleware, budget, views) and the worst CPU and
wall time of any is printed (`python search.py --hostile` runs only these).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import ROOT, build, environment

SIZES = {"100k": 100_000, "1M": 1_000_000}
# BENCH_SEARCH_BACKENDS=sqlite,postgresql (default both); PostgreSQL runs on the test cluster.
BACKENDS = os.environ.get("BENCH_SEARCH_BACKENDS", "sqlite,postgresql").split(",")
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
TARGET_P95_MS = 30.0
# What readers type: words, phrases, prefixes, OR, exclusion; with and without filters.
QUERIES = [
    "oil prices", "interest rates", '"central bank"', "wheat OR corn", "coffee -brazil",
    "infla*", "election campaign", "mobile phone", "football", "gold price",
    "trade deficit", "opec output", "takeover bid", "profit warning", "film awards",
    "prime minister", "stock market", "sugar exports", "tax cuts", "broadband",
]


def var_for(size: str, backend: str) -> Path:
    name = "bench" if size == "100k" else f"bench-{size.lower()}"
    return ROOT / "var" / (name + ("-pg" if backend == "postgresql" else ""))


def prepare(size: str, backend: str) -> Path:
    var = var_for(size, backend)
    build(var, SIZES[size])
    env = environment(var)
    dateline = [sys.executable, "-m", "dateline"]
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*dateline, *command], env=env, check=True)
    marker = var / "search-indexed"
    if not marker.exists():
        subprocess.run([*dateline, "search", "reindex"], env=env, check=True)
        marker.touch()
    return var


def measure() -> None:
    """Run in a child process with the database's environment; print timings as JSON."""
    import django

    django.setup()
    from dateline.search.backends.base import SearchQuery, get_backend

    backend = get_backend()
    timings, totals = [], {}
    for text in QUERIES:
        for newest in (False, True):
            query = SearchQuery(text=text, newest_first=newest)
            backend.search(query)  # warm the page cache of the database file
            for _ in range(REPEAT):
                started = time.perf_counter()
                results = backend.search(query)
                timings.append((time.perf_counter() - started) * 1000)
            totals[f"{text} ({'newest' if newest else 'relevance'})"] = results.total
    print(json.dumps({"backend": type(backend).__name__, "timings": timings,
                      "totals": totals}))


# What an attacker sends: each to /search/ and /api/search, with the results' cache cold.
LETTERS = "abcdefghijklmnopqrstuvwxyz"
HOSTILE = {
    "issue: 32 one-letter prefixes": {"q": " ".join(f"{c}*" for c in LETTERS + "abcdef")},
    "3-letter prefixes": {"q": "con* pro* tra* sta* pre* int* com* dis*"},
    "3 prefixes, newest": {"q": "con* pro* tra*", "sort": "newest"},
    "long OR chain": {"q": " OR ".join(["the", "of", "and", "to", "in", "said", "for", "on",
                                        "it", "is"] * 5)},
    "many short words": {"q": "the of and to in a is for on that by with"},
    "common phrase": {"q": '"the of and to in a is for on that"'},
    "many exclusions": {"q": "the -of -and -to -in -a -is -for -on -that"},
    "huge query": {"q": "x" * 100_000},
    "huge word list": {"q": "word " * 20_000},
    "deep page": {"q": "the", "page": "100000"},
    "whole date range": {"q": "said", "from": "0001-01-01", "to": "9999-12-31"},
    "filters on a common word": {"q": "the", "section": "1", "sort": "newest"},
}
HOSTILE_RUNS = int(os.environ.get("BENCH_HOSTILE_RUNS", "3"))
TARGET_HOSTILE_CPU_MS = 250.0


def measure_hostile() -> None:
    """Run in a child process: each hostile request, cache cleared; print timings as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    search_cache = caches[settings.DATELINE_SEARCH_CACHE]
    for path in ("/search/", "/api/search"):  # a server's process is warm: templates, imports
        client.get(path, {"q": "warm welcome"})
    rows = []
    for name, params in HOSTILE.items():
        for path in ("/search/", "/api/search"):
            cpu, wall, statuses = [], [], set()
            for _ in range(HOSTILE_RUNS):
                search_cache.clear()
                started, started_cpu = time.perf_counter(), time.process_time()
                statuses.add(client.get(path, params).status_code)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            started_cpu = time.process_time()
            client.get(path, params)  # the same again: from the results' cache
            repeat = (time.process_time() - started_cpu) * 1000
            rows.append((name, path, max(cpu), max(wall), repeat, sorted(statuses)))
    print(json.dumps(rows))


def hostile(size: str, backend: str) -> float:
    """Print the hostile queries' table for one database; return the worst CPU ms."""
    var = prepare(size, backend)
    out = subprocess.run([sys.executable, __file__, "--measure-hostile"], env=environment(var),
                         capture_output=True, text=True, check=True).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    print(f"\nHostile queries, {size} articles, {backend}: worst of {HOSTILE_RUNS} cold runs "
          "(CPU of the whole process), then one repeat")
    print(f"{'query':<32}{'url':<13}{'CPU ms':>8}{'wall ms':>9}{'repeat':>8}  status")
    for name, path, cpu, wall, repeat, statuses in rows:
        print(f"{name:<32}{path:<13}{cpu:>8.1f}{wall:>9.1f}{repeat:>8.1f}  {statuses}")
    worst = max(rows, key=lambda row: row[2])
    print(f"worst {size}: {worst[2]:.1f} ms CPU, {max(r[3] for r in rows):.1f} ms wall "
          f"({worst[0]}, {worst[1]})", flush=True)
    return worst[2]


def hostile_main() -> None:
    sizes = os.environ.get("BENCH_HOSTILE_SIZES", "100k,1M").split(",")
    worst = {size: hostile(size, "sqlite") for size in sizes}
    for size, cpu in worst.items():
        verdict = "met" if cpu < TARGET_HOSTILE_CPU_MS else "NOT met"
        print(f"target search-hostile-worst-{size}: {cpu:.0f} ms CPU "
              f"(target < {TARGET_HOSTILE_CPU_MS:.0f} ms): {verdict}")


def main() -> None:
    rows = []
    for size, backend in [(s, b) for b in BACKENDS for s in SIZES]:
        var = prepare(size, backend)
        out = subprocess.run([sys.executable, __file__, "--measure"], env=environment(var),
                             capture_output=True, text=True, check=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        ms = sorted(data["timings"])
        rows.append((size, data["backend"], statistics.median(ms),
                     ms[int(len(ms) * 0.95) - 1], max(ms), len(ms)))
        print(f"measured {size} {data['backend']}: p50 {rows[-1][2]:.2f} ms, "
              f"p95 {rows[-1][3]:.2f} ms", flush=True)
    print(f"\nSearch, {len(QUERIES)} queries x relevance/newest x {REPEAT} runs, one process")
    print(f"{'articles':<10}{'backend':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'runs':>7}")
    for size, backend, p50, p95, worst, runs in rows:
        print(f"{size:<10}{backend:<24}{p50:>9.2f}{p95:>9.2f}{worst:>9.2f}{runs:>7}")
    one_million = [r for r in rows if r[0] == "1M" and r[1].startswith("SQLite")]
    if one_million:
        p95 = one_million[0][3]
        verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
        print(f"target p95 < {TARGET_P95_MS:.0f} ms at 1M on SQLite: {p95:.2f} ms: {verdict}")
    hostile_main()


if __name__ == "__main__":
    if "--measure" in sys.argv:
        measure()
    elif "--measure-hostile" in sys.argv:
        measure_hostile()
    elif "--hostile" in sys.argv:
        hostile_main()
    else:
        main()
