"""`make bench-intel [CORPUS=articles.jsonl] [PROFILE=profile.toml]`: the intelligence parts'
quality on held-out stories, and the time to analyse one new story with 100,000 stored.

Quality (quality.py, one child process and database per corpus): by default Reuters-21578
(topics, tags, related by shared topic; names from demo/reuters.toml) and the BBC archive
(related by section); with CORPUS, that JSON Lines file alone (names from PROFILE, else the
codes title-cased as the importer does). Which stories train and which are evaluated, and
what a part sees of them: rule.py. Each figure is printed beside a reference measured in the
same run (baselines.py, reference.py).

Speed (speed.py): a 100,000-story SQLite database under var/bench-intel/, built once by
bench/corpus.py through `dateline import` (indexed by the search backend as on the site);
BENCH_INTEL_STORIES (200) held-out stories tagged, classified and ranked one by one.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# CORPUS is the corpus folder (the Makefile's default, as for `make demo`) or one JSON Lines
# file; a file must not reach bench/corpus.py, whose CORPUS is a folder.
GIVEN = os.environ.get("CORPUS", "")
if GIVEN and not Path(GIVEN).is_dir():
    del os.environ["CORPUS"]
SHARED = Path(GIVEN if GIVEN and Path(GIVEN).is_dir() else ROOT.parent / "shared" / "corpus")
VAR = ROOT / "var" / "bench-intel"
STORED = int(os.environ.get("BENCH_INTEL_STORED", "100000"))
STORIES = int(os.environ.get("BENCH_INTEL_STORIES", "200"))
DEFAULT = [(SHARED / "reuters-21578-train" / "articles.jsonl", ROOT / "demo" / "reuters.toml"),
           (SHARED / "bbc-news" / "articles.jsonl", ROOT / "demo" / "bbc.toml")]
sys.path[:0] = [str(ROOT), str(HERE), str(HERE.parent)]

import report  # noqa: E402
from corpus import build, environment  # noqa: E402  (bench/corpus.py)


def corpora() -> list[tuple[Path, str]]:
    profile = os.environ.get("PROFILE", "")
    if not GIVEN or Path(GIVEN).is_dir():
        for path, _ in DEFAULT:
            if not path.is_file():
                sys.exit(f"make bench-intel: {path}: no such file (CORPUS names a JSON Lines "
                         "file, or a folder holding reuters-21578-train/articles.jsonl and "
                         "bbc-news/articles.jsonl)")
        return [(path.resolve(), str(p)) for path, p in DEFAULT]
    path = Path(GIVEN).resolve()
    if not path.is_file():
        sys.exit(f"make bench-intel: CORPUS={GIVEN}: no such file (a JSON Lines file, or a "
                 "folder holding reuters-21578-train/ and bbc-news/)")
    if not profile and path == DEFAULT[0][0].resolve():
        profile = str(DEFAULT[0][1])
    return [(path, str(Path(profile).resolve()) if profile else "")]


def var_for(path: Path, profile: str) -> Path:
    """A database per corpus file and profile (a changed file gets a fresh one)."""
    stat = path.stat()
    key = hashlib.sha256(f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{profile}".encode())
    return VAR / f"quality-{path.parent.name}-{path.stem}-{key.hexdigest()[:8]}"


def child(script: str, var: Path, *args: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        target = Path(out.name)
    try:
        done = subprocess.run([sys.executable, str(HERE / script), *args, str(target)],
                              env=environment(var))
        if done.returncode:  # its own message is above: no traceback of this process's
            sys.exit(f"make bench-intel: stopped, {script} exited with status {done.returncode}")
        return json.loads(target.read_text())
    finally:
        target.unlink(missing_ok=True)


def main() -> None:
    results, chosen = [], corpora()
    # Each corpus gives its share of the stories timed, from its held-out split.
    os.environ["BENCH_INTEL_SHARE"] = str(-(-STORIES // len(chosen)))
    for path, profile in chosen:
        var = var_for(path, profile)
        var.mkdir(parents=True, exist_ok=True)
        print(f"Quality on {path} (database {var.relative_to(ROOT)}) ...", flush=True)
        results.append(child("quality.py", var, str(path), profile or ""))
    print(f"Speed: {STORED:,} stories stored under {VAR.relative_to(ROOT)} ...", flush=True)
    build(VAR, STORED)
    with tempfile.TemporaryDirectory() as folder:
        stories, saved = Path(folder) / "stories.json", Path(folder) / "saved.json"
        stories.write_text(json.dumps([s for r in results for s in r["held_out"]][:STORIES]))
        saved.write_text(json.dumps(results[0].get("saved", {})))
        speed = child("speed.py", VAR, str(stories), str(saved))
    report.print_all(results, speed)


if __name__ == "__main__":
    main()
