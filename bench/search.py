"""`make bench-search`: search latency on 100k and 1M re-sampled corpus articles, per backend.

Each database is built once by `corpus.py` (the 1M one takes several minutes), migrated, and
indexed with `dateline search reindex`, except PostgreSQL's 1M one, copied from its 100k one
inside PostgreSQL; then a fixed set of realistic queries runs with facets in a fresh process
per database, each repeated, and p50/p95/max are printed with a target line each. Then
hostile query strings go through the whole public stack (middleware, budget, views) and the
worst CPU and wall time of any is printed (`python search.py --hostile` runs only these).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import PG, ROOT, article_count, build, environment

SIZES = {"100k": 100_000, "1M": 1_000_000}
# BENCH_SEARCH_BACKENDS=sqlite,postgresql (default both); PostgreSQL runs on the test cluster.
BACKENDS = os.environ.get("BENCH_SEARCH_BACKENDS", "sqlite,postgresql").split(",")
# BENCH_SEARCH_SIZES=1M for one size; BENCH_REPEAT=5 for a quicker, rougher run.
SEARCH_SIZES = os.environ.get("BENCH_SEARCH_SIZES", ",".join(SIZES)).split(",")
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
TARGET_P95_MS, TARGET_MAX_MS = 30.0, 100.0
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


# PostgreSQL's 1M database is ten copies of its 100k one, made inside PostgreSQL (INSERT ...
# SELECT): a million imports and a reindex through Django take hours on 2 cores.
COPIES = 10
# The corpus puts one source's stories 6 minutes apart at 100k (corpus.resample); the copies
# fill the gaps, as the 1M SQLite build does at 36 s apart.
COPY_STEP_SECONDS = 6 * 60 // COPIES


def prepare(size: str, backend: str) -> Path:
    var = var_for(size, backend)
    if backend == "postgresql" and SIZES[size] > SIZES["100k"]:
        # The marker is written when the whole copy is done: a copy stopped half-way (its
        # stories copied, not its search entries) is made again, not indexed through Django.
        if article_count(var) < SIZES[size] or not (var / "search-indexed").exists():
            copies = SIZES[size] // SIZES["100k"]
            copy_pg_database(var, prepare("100k", backend), copies)
    else:
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


def copy_pg_database(var: Path, source: Path, copies: int) -> None:
    """Make var's database `copies` times source's stories: each story again under a new id
    (id + k x the largest), 36 s earlier per copy, with its tags, authors and search entries.
    Other per-story rows (revisions, analyses) are not copied: search does not read them."""
    import psycopg

    target, template = (path.name.replace("-", "_") for path in (var, source))
    started = time.perf_counter()

    def connect(name: str, autocommit: bool = False):
        return psycopg.connect(host="127.0.0.1", port=PG["DATELINE_DB_PORT"], dbname=name,
                               user=PG["DATELINE_DB_USER"], autocommit=autocommit,
                               password=PG["DATELINE_DB_PASSWORD"])

    with connect("postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {target}")
        admin.execute(f"CREATE DATABASE {target} TEMPLATE {template}")
    with connect(target) as db:
        db.execute("SET maintenance_work_mem = '512MB'")
        # No foreign-key checks row by row: every copy refers to what its original refers to.
        db.execute("SET session_replication_role = replica")
        span = db.execute("SELECT MAX(id) FROM newsroom_article").fetchone()[0]
        tables = ["newsroom_article", "newsroom_article_tags", "newsroom_article_authors",
                  *(row[0] for row in db.execute(
                      "SELECT table_name FROM information_schema.columns WHERE table_schema = "
                      "'public' AND table_name LIKE 'search%%' AND column_name = 'article_id' "
                      # A partition's rows are copied through its parent (and its index,
                      # attached to the parent's, cannot be dropped alone).
                      "AND NOT (table_name::regclass)::oid IN (SELECT inhrelid FROM pg_inherits)"
                      ))]
        for table in tables:
            _copy_rows(db, table, span, copies)
        db.execute("SELECT setval(pg_get_serial_sequence('newsroom_article', 'id'), "
                   "MAX(id)) FROM newsroom_article")
    with connect(target, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    var.mkdir(parents=True, exist_ok=True)
    (var / "search-indexed").touch()  # the search entries were copied with the stories
    print(f"{var}: {article_count(var):,} articles, {copies} copies of {source.name}'s, "
          f"in {time.perf_counter() - started:.0f} s", flush=True)


def _copy_rows(db, table: str, span: int, copies: int) -> None:
    """INSERT ... SELECT the table's rows `copies - 1` times, its plain indexes dropped while
    it runs (one build each afterwards is much faster than a million inserts into them)."""
    indexes = db.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = i.indexrelid)", [table]).fetchall()
    columns = [row[0] for row in db.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s ORDER BY ordinal_position", [table])]
    shifted = {
        "id": f"id + k * {span}", "article_id": f"article_id + k * {span}",
        "external_id": "external_id || '~' || k",
        "published_at": f"published_at - k * interval '{COPY_STEP_SECONDS} seconds'",
    }
    if "article_id" in columns:  # a relation's own id is generated afresh
        columns = [c for c in columns if c != "id"]
    values = ", ".join(shifted.get(c, c) for c in columns)
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    if table == "search_article_match":  # partitioned by id (migration search 0003)
        db.execute("SELECT search_article_match_cover(ARRAY(SELECT generate_series(0, %s)))",
                   [(span * copies) >> 16])
    db.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table}, "
               f"generate_series(1, {copies - 1}) AS k")
    for _, definition in indexes:
        # A partitioned table's index is defined ON ONLY the parent; built again, it is
        # wanted on every partition.
        db.execute(definition.replace(" ON ONLY ", " ON "))
    db.commit()


def measure() -> None:
    """Run in a child process with the database's environment; print timings as JSON."""
    import django

    django.setup()
    from dateline.search.backends.base import SearchQuery, get_backend

    backend = get_backend()
    timings, totals = {}, {}
    for text in QUERIES:
        for newest in (False, True):
            # As the search page asks: one page with the facets' counts.
            query = SearchQuery(text=text, newest_first=newest, facets=True)
            backend.search(query)  # warm the database's caches
            name = f"{text} ({'newest' if newest else 'relevance'})"
            timings[name] = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                results = backend.search(query)
                timings[name].append((time.perf_counter() - started) * 1000)
            totals[name] = results.total
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
    sizes = [s for s in os.environ.get("BENCH_HOSTILE_SIZES", "100k,1M").split(",") if s]
    worst = {size: hostile(size, "sqlite") for size in sizes}
    for size, cpu in worst.items():
        verdict = "met" if cpu < TARGET_HOSTILE_CPU_MS else "NOT met"
        print(f"target search-hostile-worst-{size}: {cpu:.0f} ms CPU "
              f"(target < {TARGET_HOSTILE_CPU_MS:.0f} ms): {verdict}")


def main() -> None:
    rows = []
    for size, backend in [(s, b) for b in BACKENDS for s in SEARCH_SIZES]:
        var = prepare(size, backend)
        out = subprocess.run([sys.executable, __file__, "--measure"], env=environment(var),
                             capture_output=True, text=True, check=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        ms = sorted(t for runs in data["timings"].values() for t in runs)
        rows.append((size, data["backend"], statistics.median(ms),
                     ms[int(len(ms) * 0.95) - 1], max(ms), len(ms)))
        print(f"measured {size} {data['backend']}: p50 {rows[-1][2]:.2f} ms, "
              f"p95 {rows[-1][3]:.2f} ms; slowest by median:", flush=True)
        slowest = sorted(data["timings"].items(), key=lambda item: -statistics.median(item[1]))
        for name, runs in slowest[:4]:
            print(f"  {name:<32} median {statistics.median(runs):7.2f} ms, "
                  f"max {max(runs):7.2f} ms, {data['totals'][name]:,} found")
    print(f"\nSearch with facets, {len(QUERIES)} queries x relevance/newest x {REPEAT} runs, "
          f"one process (load average {os.getloadavg()[0]:.1f})")
    print(f"{'articles':<10}{'backend':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'runs':>7}")
    for size, backend, p50, p95, worst, runs in rows:
        print(f"{size:<10}{backend:<24}{p50:>9.2f}{p95:>9.2f}{worst:>9.2f}{runs:>7}")
    for size, backend, _, p95, worst, _ in rows:
        if size == "1M":
            name = backend.removesuffix("SearchBackend").lower()
            for what, value, target in (("p95", p95, TARGET_P95_MS), ("max", worst, TARGET_MAX_MS)):
                verdict = "met" if value < target else "NOT met"
                print(f"target search-{what}-1M-{name}: {value:.2f} ms (target < {target:.0f} ms): "
                      f"{verdict}")
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
