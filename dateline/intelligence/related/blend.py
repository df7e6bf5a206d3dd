"""How a candidate's score is made: its text, tags, section and time, weighed.

A story being saved has its section and, once tagged, its tags: a candidate sharing them
scores for it. A story without (a new one not yet tagged, the benchmark's hidden stories)
is judged by the company it keeps: a candidate whose topic tags or section most of the other
closest texts share is likelier about the same subject than one alone in its own.
"""

from ..base import Neighbour

# The text dominates, so that a story about the same thing outranks a newer one of the same
# section about something else.
WEIGHTS = {"text": 0.45, "tags": 0.35, "section": 0.15, "recency": 0.05}
VOTERS = 20  # the closest texts whose labels are counted


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
