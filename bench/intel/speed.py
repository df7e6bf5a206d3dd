"""Time one new story's analysis with 100,000 stored, run by run.py in a child process on the
database under var/bench-intel/ (`python speed.py STORIES.json SAVED.json OUT.json`).

The tagger and classifier are the ones the quality run trained on the corpus's training
split and saved (as `dateline intelligence train` does); loaded here as the worker loads
them, the tagger's gazetteer reading this database's tags. Each story (held out, headline
and body only) is tagged, classified and ranked with those guesses, as the worker does (20
neighbours asked); each call is timed by the wall clock, one after the other in this process.
"""

import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]
WARM = 5


def parts(saved: dict) -> dict:
    from django.conf import settings

    from dateline.intelligence import plugins

    chosen = {}
    for kind in ("tagger", "classifier", "ranker"):
        try:
            part = plugins._REGISTRIES[kind].get(settings.DATELINE_INTELLIGENCE_USE[kind])()
        except Exception:
            continue  # part not installed: run.py says so
        if kind in saved:
            part.load(Path(saved[kind]))
        chosen[kind] = part
    return chosen


def call(kind: str, part, story, found) -> None:
    """One part's call as the worker makes it: the ranker given what the tagger and
    classifier found (pipeline.rank), `found` a pipeline.Findings filled in turn."""
    from dateline.intelligence import pipeline

    if kind == "tagger":
        found.entities = part.entities(story)
    elif kind == "classifier":
        found.topics = part.topics(story)
    else:
        pipeline.rank(part, story, found)


def main(stories_path: str, saved_path: str, out: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from dateline.intelligence.base import Story
    from dateline.intelligence.pipeline import Findings
    from dateline.newsroom.models import Article

    # The database was built once, perhaps before the newest migrations.
    call_command("migrate", "--noinput", verbosity=0)
    stories = [Story(headline=h, body=b) for h, b in json.loads(Path(stories_path).read_text())]
    started = time.perf_counter()
    chosen = parts(json.loads(Path(saved_path).read_text()))
    load_s = time.perf_counter() - started
    failed = {}
    for story in stories[:WARM]:  # first calls fill caches (the gazetteer, SQLite's pages)
        found = Findings()
        for kind, part in list(chosen.items()):
            try:
                call(kind, part, story, found)
            except Exception as exc:  # reported as the part's failure; the others are timed
                traceback.print_exc()
                failed[kind] = f"{type(exc).__name__}: {exc}"
                del chosen[kind]
    timings = {kind: [] for kind in chosen}
    totals = []
    for story in stories:
        total, found = 0.0, Findings()
        for kind, part in chosen.items():
            begun = time.perf_counter()
            call(kind, part, story, found)
            elapsed = (time.perf_counter() - begun) * 1000
            timings[kind].append(elapsed)
            total += elapsed
        totals.append(total)
    Path(out).write_text(json.dumps({
        "stored": Article.objects.count(), "stories": len(stories), "load_s": load_s,
        "parts": sorted(chosen), "failed": failed, "load_average": os.getloadavg(),
        "ms": {**timings, "total": totals}}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
