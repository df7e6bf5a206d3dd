"""One corpus's quality figures, run by run.py in a child process with the corpus's own
database (`python quality.py CORPUS PROFILE OUT.json`, PROFILE "" for none; DATELINE_VAR_DIR set).

The training split is imported into that database with `dateline import` (and so indexed by
the search backend, as on the site): it is the archive the related ranker searches. Each
part's author evaluates it with an `evaluate` in this folder (tags.py, topics.py, related.py,
briefs.py), given the training examples and the held-out ones whose stories are hidden
(rule.hidden); a part whose module or registry entry is missing is "part not installed".

related.evaluate(test, stored) -> dict: `test` the held-out examples (stories hidden),
`stored` {article pk: its training example} for the database's articles; it returns at least
"precision_at_5", the share of the ranker's first five that share a topic label with the
story (or, in a corpus without topics, its section).
"""

import hashlib
import importlib
import inspect
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]


def setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)


def store(train: list[dict], profile: str, var: Path) -> dict[str, int]:
    """Import the training records once; {external id: article pk}."""
    from django.core.management import call_command

    from dateline.newsroom.models import Article

    ids = {str(r["id"]) for r in train}
    have = dict(Article.objects.filter(external_id__in=ids).values_list("external_id", "pk"))
    if len(have) < len(ids):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", dir=var, delete=False) as out:
            for record in train:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        try:
            options = {"profile": Path(profile)} if profile else {}
            call_command("import", out.name, progress="never", **options)
        finally:
            Path(out.name).unlink()
        have = dict(Article.objects.filter(external_id__in=ids)
                    .values_list("external_id", "pk"))
    return have


def evaluate(module: str, *args) -> dict:
    try:
        found = importlib.import_module(module)
    except ImportError as exc:
        if exc.name != module:
            raise
        return {"missing": f"part not installed (bench/intel/{module}.py)"}
    try:
        return found.evaluate(*args)
    except Exception as exc:  # a part's failure is reported, the other parts still run
        traceback.print_exc()
        return {"missing": f"evaluate failed: {type(exc).__name__}: {exc}"}


def installed(kind: str) -> bool:
    from django.conf import settings

    from dateline.intelligence import plugins

    try:
        plugins._REGISTRIES[kind].get(settings.DATELINE_INTELLIGENCE_USE[kind])
    except Exception:
        return False
    return True


def main(corpus: str, profile: str, out: str) -> None:
    setup()
    import baselines
    import reference
    import rule

    from dateline.newsroom.importer.profile import ImportProfile

    names = ImportProfile.load(profile) if profile else ImportProfile()
    try:
        train_records, test_records = rule.split(rule.load(Path(corpus)))
        rule.require_both(train_records, test_records, Path(corpus))
    except rule.CorpusError as error:
        sys.exit(f"make bench-intel: {error}")
    train = [rule.labelled(r, names) for r in train_records]
    test = [rule.hidden(rule.labelled(r, names)) for r in test_records]
    by_id = dict(zip((str(r["id"]) for r in train_records), train, strict=True))
    pks = store(train_records, profile, _var())
    stored = {pk: by_id[external] for external, pk in pks.items()}
    has = {kind: any(e.labels.get(kind) for e in train)
           for kind in ("topic", "place", "person", "organisation")}
    from dateline.newsroom.models import Article

    result = {"corpus": corpus, "train": len(train), "test": len(test), "stored": len(stored),
              "live": Article.objects.live().count(), "has": has}
    if has["topic"]:
        result["topics"] = timed("topics", evaluate, "topics", train, test, need="classifier")
        result["topics_baseline"] = baselines.majority_topics(train, test)
    if has["place"] or has["person"] or has["organisation"]:
        result["tags"] = timed("tags", evaluate, "tags", train, test, need="tagger")
        result["tags_baseline"] = baselines.string_match_tags(train, test)
    # Trained first: the related ranker is scored as the worker runs it, after the tagger
    # and classifier, with their guesses (and the timing run loads what is saved).
    result["saved"] = timed("training for the timing run", train_parts, train,
                            _var() / "intelligence")
    result["related"] = timed("related", related, test, stored)
    result["related_reference"] = timed("old ranking", reference.old_ranking, test, stored)
    result["briefs"] = timed("briefs", evaluate, "briefs", [e.story for e in test],
                             need="summariser")
    share = int(os.environ.get("BENCH_INTEL_SHARE", "200"))
    result["held_out"] = [[e.story.headline, e.story.body]
                          for e in test[::max(len(test) // share, 1)][:share]]
    Path(out).write_text(json.dumps(result, default=str))
    # Kept beside the database, to read the per-topic and per-kind detail after a run.
    (_var() / "result.json").write_text(json.dumps(result, default=str, indent=1))


def timed(label: str, run, *args, need: str = ""):
    """run(*args), unless the part in use of kind `need` is not installed; its time shown."""
    if need and not installed(need):
        return {"missing": f"part not installed ({need})"}
    started = time.perf_counter()
    found = run(*args)
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return found


def related(test, stored) -> dict:
    import reference
    from django.conf import settings

    from dateline.intelligence import plugins

    if not installed("ranker"):
        return {"missing": "part not installed (ranker)"}
    if (HERE / "related.py").exists():
        return evaluate("related", test, stored)
    ranker = plugins.rankers.get(settings.DATELINE_INTELLIGENCE_USE["ranker"])()
    return {**reference.new_ranking(test, stored, ranker), "scored_by": "run.py"}


def train_parts(train, folder: Path) -> dict:
    """Train the tagger and classifier in use on the split and save them for the timing run,
    as `dateline intelligence train` does for the site."""
    from django.conf import settings

    from dateline.intelligence import plugins

    saved = {}
    for kind in ("tagger", "classifier", "ranker"):
        if not installed(kind):
            continue
        name = settings.DATELINE_INTELLIGENCE_USE[kind]
        part = plugins._REGISTRIES[kind].get(name)()
        where, key = folder / kind / name, _fingerprint(part, train)
        # The same code trained on the same stories learns the same: the last run's is kept.
        if not (where / "bench-key").exists() or (where / "bench-key").read_text() != key:
            part.train(train)
            part.save(where)
            where.mkdir(parents=True, exist_ok=True)
            (where / "bench-key").write_text(key)
        saved[kind] = str(where)
    return saved


def _fingerprint(part, train) -> str:
    """The part's package's source and the training stories and labels."""
    digest = hashlib.sha256(f"{type(part).__qualname__} {part.version}".encode())
    for source in sorted(Path(inspect.getfile(type(part))).parent.rglob("*.py")):
        digest.update(source.read_bytes())
    for example in train:
        digest.update(json.dumps([example.story.headline, example.story.body, example.labels,
                                  example.section], sort_keys=True).encode())
    return digest.hexdigest()


def _var() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR)


if __name__ == "__main__":
    main(*sys.argv[1:4])
