"""`make bench-search`: search latency on 100k and 1M re-sampled corpus articles, per backend.

Each database is built once by `corpus.py` (the 1M one takes several minutes), migrated, and
indexed with `dateline search reindex`; then a fixed set of realistic queries runs in a fresh
process per database, each repeated, and p50/p95 are printed as a table.
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


if __name__ == "__main__":
    measure() if "--measure" in sys.argv else main()
