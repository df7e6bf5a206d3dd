"""Related precision@5: how relevance is judged, and the reference, the old ranking.

A neighbour is relevant when it shares a topic label with the story or, in a corpus without
topic labels (BBC), when it is filed in the same section. Stories with nothing to share (a
Reuters story without a topic) are not asked. Precision counts the five asked for: a list
shorter than five loses the missing places.

The old ranking (dateline.newsroom.related, today's block) ranks by shared tags, then section,
then recency, so it is given the story as the site holds it, its real tags and section: what
readers get today, and the only way it can rank at all. The new ranker is given neither.
"""

from types import SimpleNamespace

from baselines import keys

from dateline.intelligence.base import Labelled

LIMIT = 5


def by_topic(test: list[Labelled]) -> bool:
    return any(e.labels.get("topic") for e in test)


def relevant(story: Labelled, other: Labelled, topic: bool) -> bool:
    if topic:
        return bool(keys(story.labels.get("topic", ())) & keys(other.labels.get("topic", ())))
    return story.section == other.section


def asked(test: list[Labelled]) -> list[Labelled]:
    topic = by_topic(test)
    return [e for e in test if (e.labels.get("topic") if topic else e.section)]


def precision_at_5(test: list[Labelled], stored: dict[int, Labelled], rank) -> dict:
    """`rank(example)` -> the pks of its first five neighbours."""
    topic, queries = by_topic(test), asked(test)
    hits = sum(relevant(e, stored[pk], topic) for e in queries for pk in rank(e)[:LIMIT]
               if pk in stored)
    # Whether any story asked has a right answer among those stored (report.py says so
    # rather than print a precision of 0 that no ranking could have bettered).
    stored_keys = set()
    for other in stored.values():
        stored_keys |= keys(other.labels.get("topic", ())) if topic else {other.section}
    shared = sum(bool((keys(e.labels.get("topic", ())) if topic else {e.section}) & stored_keys)
                 for e in queries)
    return {"precision_at_5": hits / (LIMIT * len(queries)) if queries else 0.0,
            "stories": len(queries), "shared": shared,
            "judged_by": "topic" if topic else "section"}


def old_ranking(test: list[Labelled], stored: dict[int, Labelled]) -> dict:
    from dateline.newsroom.models import Section, Tag
    from dateline.newsroom.related import related_articles

    sections = {"/".join(s.display_path.split(" » ")): s.pk
                for s in Section.objects.only("pk", "display_path")}
    tags = {(t.kind, t.name): t for t in Tag.objects.all()}

    def rank(example: Labelled) -> list[int]:
        mine = [tags[kind, name] for kind, names in example.labels.items() for name in names
                if (kind, name) in tags]
        # Duck-typed as an unsaved Article: the pk 0 no stored story has, and, for a section
        # the archive lacks (a topic first used after the training months), the section 0
        # none has, whose fill-up finds nothing (the section's prepared query takes ints only).
        story = SimpleNamespace(pk=0, section_id=sections.get(example.section, 0),
                                tags=SimpleNamespace(all=lambda: mine))
        return [a.pk for a in related_articles(story, LIMIT)]

    return precision_at_5(test, stored, rank)


def new_ranking(test: list[Labelled], stored: dict[int, Labelled], ranker) -> dict:
    """The harness's own scoring of the ranker in use, where bench/intel/related.py is
    missing: the same rule, so the two figures compare."""
    return precision_at_5(test, stored,
                          lambda e: [n.pk for n in ranker.neighbours(e.story, LIMIT)])
