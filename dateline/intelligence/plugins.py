"""The registries of the intelligence parts (dateline.base.plugins' one pattern).

Settings add parts by name: DATELINE_INTELLIGENCE_TAGGERS = {"name": "dotted.path.Class"}
(likewise _CLASSIFIERS, _RANKERS, _SUMMARISERS); DATELINE_INTELLIGENCE_USE names the one of
each kind the worker runs ({"tagger": "gazetteer", ...}). Built-ins are declared by the
modules that define them, below; `part(kind)` gives the chosen one, ready to use.
"""

from dateline.base.plugins import Registry

from .base import RelatedRanker, Summariser, Tagger, TopicClassifier

taggers: Registry[Tagger] = Registry(
    "intelligence tagger", Tagger, setting="DATELINE_INTELLIGENCE_TAGGERS",
    chosen_by="DATELINE_INTELLIGENCE_USE", chosen_key="tagger",
    builtins={"gazetteer": "dateline.intelligence.tagging.tagger.GazetteerTagger"})
classifiers: Registry[TopicClassifier] = Registry(
    "topic classifier", TopicClassifier, setting="DATELINE_INTELLIGENCE_CLASSIFIERS",
    chosen_by="DATELINE_INTELLIGENCE_USE", chosen_key="classifier",
    builtins={"linear": "dateline.intelligence.topics.linear.LinearTopicClassifier"})
rankers: Registry[RelatedRanker] = Registry(
    "related ranker", RelatedRanker, setting="DATELINE_INTELLIGENCE_RANKERS",
    chosen_by="DATELINE_INTELLIGENCE_USE", chosen_key="ranker",
    builtins={"tfidf": "dateline.intelligence.related.tfidf.TfidfRanker"})
summarisers: Registry[Summariser] = Registry(
    "summariser", Summariser, setting="DATELINE_INTELLIGENCE_SUMMARISERS",
    chosen_by="DATELINE_INTELLIGENCE_USE", chosen_key="summariser",
    builtins={"lead": "dateline.intelligence.briefs.lead.LeadSummariser"})

_REGISTRIES = {"tagger": taggers, "classifier": classifiers, "ranker": rankers,
               "summariser": summarisers}


def part(kind: str, name: str = ""):
    """An instance of the part of `kind` the settings choose (or `name`), with what it
    learnt loaded from DATELINE_INTELLIGENCE_DIR when it learns."""
    from pathlib import Path

    from django.conf import settings

    name = name or settings.DATELINE_INTELLIGENCE_USE[kind]
    instance = _REGISTRIES[kind].get(name)()
    folder = Path(settings.DATELINE_INTELLIGENCE_DIR) / kind / name
    if instance.load(folder):
        instance.trained_as = trained_stamp(folder)
    return instance


def trained_stamp(folder) -> str:
    """Which training a part loaded (its files' names, sizes and times, hashed): part of an
    analysis's version, so that stories analysed before `train` are analysed again."""
    import hashlib

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    seen = "|".join(f"{p.relative_to(folder)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                    for p in files)
    return hashlib.sha256(seen.encode()).hexdigest()[:8] if files else ""
