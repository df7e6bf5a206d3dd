"""Build a large Dateline database by re-sampling the real corpus (`python bench/corpus.py N`)."""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("CORPUS", ROOT.parent / "shared" / "corpus"))
SOURCES = [
    (CORPUS / "bbc-news" / "articles.jsonl", ROOT / "demo" / "bbc.toml"),
    (CORPUS / "reuters-21578-train" / "articles.jsonl", ROOT / "demo" / "reuters.toml"),
]
NEWEST = datetime(2026, 11, 1, tzinfo=UTC)


# A PostgreSQL benchmark database lives on the test cluster (scripts/test-postgres).
PG = {"DATELINE_DB_ENGINE": "postgresql", "DATELINE_DB_PORT": "54329",
      "DATELINE_DB_USER": "dateline", "DATELINE_DB_PASSWORD": "dateline"}


def environment(var_dir: Path) -> dict:
    """SQLite in var_dir, or PostgreSQL when var_dir's name ends in "-pg" (database = name)."""
    env = {**os.environ, "DATELINE_VAR_DIR": str(var_dir), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev"}
    if var_dir.name.endswith("-pg"):
        env.update(PG, DATELINE_DB_NAME=var_dir.name.replace("-", "_"))
    return env


def article_count(var_dir: Path) -> int:
    if var_dir.name.endswith("-pg"):
        return _pg_count(var_dir)
    database = var_dir / "dateline.sqlite3"
    if not database.exists():
        return 0
    try:
        return sqlite3.connect(database).execute(
            "SELECT COUNT(*) FROM newsroom_article").fetchone()[0]
    except sqlite3.Error:
        return 0


def _pg_count(var_dir: Path) -> int:
    """Create the PostgreSQL database on first use; count its articles."""
    name = var_dir.name.replace("-", "_")
    subprocess.run([str(ROOT / "scripts" / "test-postgres"), "start"], check=True)
    psql = ["psql", "-h", "127.0.0.1", "-p", PG["DATELINE_DB_PORT"], "-U", "dateline", "-tA"]
    env = {**os.environ, "PGPASSWORD": PG["DATELINE_DB_PASSWORD"]}
    exists = subprocess.run([*psql, "-d", "postgres", "-c",
                             f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            env=env, capture_output=True, text=True).stdout.strip()
    if not exists:
        subprocess.run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {name}"], env=env,
                       check=True, capture_output=True)
        return 0
    found = subprocess.run([*psql, "-d", name, "-c", "SELECT COUNT(*) FROM newsroom_article"],
                           env=env, capture_output=True, text=True)
    return int(found.stdout.strip() or 0) if found.returncode == 0 else 0


def resample(source: Path, target: Path, share: int, offset: int, total: int) -> None:
    """Write `share` records cycling through `source`, each a new id and a spread-out time."""
    records = [json.loads(line) for line in source.open(encoding="utf-8") if line.strip()]
    with target.open("w", encoding="utf-8") as out:
        for i in range(share):
            record = dict(records[i % len(records)])
            record["id"] = f"{record['id']}~{i // len(records)}"
            # Interleave the two archives over ~20 months, newest first.
            minutes = (offset + i * 2) * 600_000 // (total * 2)
            record["published"] = (NEWEST - timedelta(minutes=minutes)).isoformat()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def build(var_dir: Path, total: int) -> None:
    if article_count(var_dir) >= total:
        print(f"{var_dir}: {article_count(var_dir):,} articles already built")
        return
    var_dir.mkdir(parents=True, exist_ok=True)
    env = environment(var_dir)
    dateline = [sys.executable, "-m", "dateline"]
    subprocess.run([*dateline, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run([*dateline, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    bbc_share = total * 15 // 100  # about the corpus's own mix
    for (source, profile), share, offset in (
        (SOURCES[0], bbc_share, 0), (SOURCES[1], total - bbc_share, 1),
    ):
        sample = var_dir / f"{source.parent.name}-{share}.jsonl"
        resample(source, sample, share, offset, total)
        subprocess.run([*dateline, "import", "--profile", str(profile), str(sample)],
                       env=env, check=True)
        sample.unlink()
    print(f"{var_dir}: {article_count(var_dir):,} articles")


if __name__ == "__main__":
    build(ROOT / "var" / "bench", int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
