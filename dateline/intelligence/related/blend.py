"""How a candidate's score is made: its text, labels, section and time, weighed.

The labels a story is known by are its tags (a story being saved) and what the tagger and
classifier guessed of it (any story, a new one before any editor tagged it): a candidate
carrying a topic the story surely has is about the same subject, whatever words it uses.
Besides, a story is judged by the company it keeps: a candidate whose topics or section most
of the other closest texts share is likelier about the same subject than one alone in its own.
"""

from ..base import Neighbour
from . import labels as known

# Chosen on the inner split of Reuters' training stories (bench/intel/related.py --dev): the
# labels, where there are any, outweigh the text; text, section and time keep the 9 : 3 : 1
# they had before, which is all that ranks a site without topics (the BBC archive). Guessed
# people, places and organisations added nothing there and are not used; a tagged story's own
# (which no held-out story has, so untuned) count as a second topic would.
WEIGHTS = {"text": 0.18, "topics": 0.43, "tags": 0.2, "votes": 0.31, "section": 0.06,
           "recency": 0.02}
VOTERS = 20  # the closest texts whose labels are counted


def label_parts(text: dict[int, float], carried: dict[int, set], own: set,
                guessed: dict) -> dict:
    """{part: {candidate: 0..1}} from the story's own labels and its `guessed` topics
    ({label: confidence}); the story's own topics are sure."""
    wanted = guessed | dict.fromkeys(filter(known.is_topic, own), 1.0)
    tags = {label for label in own if not known.is_topic(label)}
    topics = {pk: set(filter(known.is_topic, labels)) for pk, labels in carried.items()}
    return {
        "topics": {pk: known.shared_topic(wanted, topics.get(pk, set())) for pk in text},
        "tags": {pk: known.shared_tags(tags, carried.get(pk, set())) for pk in text},
        "votes": agreement(text, topics),
    }


def agreement(text: dict[int, float], labels: dict[int, set]) -> dict[int, float]:
    """For each candidate, the share of the other VOTERS closest texts that carry its most
    shared label (its own vote left out)."""
    voters = sorted(text, key=lambda pk: (-text[pk], -pk))[:VOTERS]
    votes: dict = {}
    for pk in voters:
        for label in labels.get(pk, ()):
            votes[label] = votes.get(label, 0) + 1
    voting = set(voters)
    found = {}
    for pk in text:
        own = pk in voting
        others = len(voters) - own
        best = max((votes.get(label, 0) - own for label in labels.get(pk, ())), default=0)
        found[pk] = best / others if others > 0 else 0.0
    return found


def neighbour(pk: int, parts: dict[str, float]) -> Neighbour:
    score = sum(WEIGHTS[name] * value for name, value in parts.items())
    return Neighbour(pk, round(score, 6), {name: round(value, 4) for name, value in parts.items()})
