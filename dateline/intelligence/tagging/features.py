"""The candidate labels of one story and the evidence for each, as numbers a model weighs.

A label is a candidate where a cue of it is found (a form the training stories tied to it:
"Tokyo" -> Japan), where its name is found (a gazetteer key: "Japan"), where the dateline's
place is a cue, or where the word model gives it P(label | words) >= WORDS_AT. A name found
in the text and a cue found are counted apart: in an all-capitals wire headline every word is
a form, and "NET" in a headline is a cue of "USA" that says far less than "U.S." does.
"""

import math
from collections import Counter

from .gazetteer import Gazetteer
from .text import Forms

FEATURES = ("p_max", "p_or", "forms", "mentions", "headline", "lead", "direct",
            "direct_unseen", "dateline", "prior", "words_p", "words_known", "early", "share",
            "p_name", "named_headline", "named_lead", "named_mentions", "named_share",
            "named_top", "named_others")
WORDS_AT = 0.15  # P(label | words) that makes a label a candidate with no name in the text


def _blank() -> dict:
    return {"ps": [], "forms": set(), "mentions": 0, "headline": False, "lead": False,
            "direct": False, "dateline": False, "evidence": "", "direct_evidence": False,
            "first": 99, "tag_id": None, "p_name": 0.0, "named": set(), "named_mentions": 0,
            "named_headline": False, "named_lead": False}


def candidates(forms: Forms, cues: dict, gazetteer: Gazetteer, priors: dict,
               by_words: dict | None = None) -> dict:
    """{(kind, name): (features, evidence, tag_id)} for every label the story may have."""
    found: dict[tuple[str, str], dict] = {}

    def note(label, form, key, p=None, direct=False):
        c = found.get(label)
        if c is None:
            c = found[label] = _blank()
        if p is not None:
            c["ps"].append(p)
        if key not in c["forms"]:
            c["forms"].add(key)
            c["mentions"] += form.count
            c["headline"] |= form.headline
            c["lead"] |= form.lead
            c["first"] = min(c["first"], form.first)
        if direct and key not in c["named"]:
            c["named"].add(key)
            c["direct"] = True
            c["named_mentions"] += form.count
            c["named_headline"] |= form.headline
            c["named_lead"] |= form.lead
        # The evidence is the fullest name found ("Bashar al-Assad" over "Assad"), else a cue.
        if not c["evidence"] or (direct and (
                not c["direct_evidence"] or len(form.text) > len(c["evidence"]))):
            c["evidence"], c["direct_evidence"] = form.text, direct

    for key, form in forms.found.items():
        cued = {(kind, name): p for kind, name, p, _ in cues.get(key, ())}
        for label, p in cued.items():
            note(label, form, key, p)
        if len(key) <= 3 and not form.capitals:
            continue  # "Us" or "It" at the start of a sentence are not places
        for known in gazetteer.get(key):
            label = (known.kind, known.name)
            note(label, form, key, direct=True)
            c = found[label]
            c["tag_id"] = c["tag_id"] or known.tag_id
            # How often the training editors kept this label where this name of it was found.
            c["p_name"] = max(c["p_name"], cued.get(label, 0.0))
    if forms.dateline:
        for kind, name, p, _ in cues.get("dl:" + forms.dateline, ()):
            c = found.setdefault((kind, name), _blank())
            c["ps"].append(p)
            c["dateline"] = True
    by_words = by_words or {}
    for label, p in by_words.items():
        if p >= WORDS_AT:
            found.setdefault(label, _blank())
    # How much of the story's naming of its places (people...) each takes, by any cue and
    # by name, and whether it is the one named most.
    story: dict[str, Counter] = {"mentions": Counter(), "named": Counter(), "top": Counter(),
                                 "labels": Counter()}
    for (kind, _), c in found.items():
        story["mentions"][kind] += c["mentions"]
        story["named"][kind] += c["named_mentions"]
        story["top"][kind] = max(story["top"][kind], c["named_mentions"])
        story["labels"][kind] += bool(c["named"])
    return {label: (_features(label, c, story, priors, by_words), c["evidence"], c["tag_id"])
            for label, c in found.items()}


def _features(label, c: dict, story: dict, priors: dict, by_words: dict) -> list[float]:
    kind, name = label
    others = story["labels"][kind] - bool(c["named"])
    ps = sorted(c["ps"], reverse=True)
    prior = priors.get(kind, {}).get(name, 0.0)
    return [ps[0] if ps else 0.0, 1 - math.prod(1 - p for p in ps[:3]),
            math.log1p(len(c["forms"])), math.log1p(c["mentions"]),
            float(c["headline"]), float(c["lead"]), float(c["direct"]),
            float(c["direct"] and not ps), float(c["dateline"]),
            math.log(prior + 1e-4), by_words.get(label, 0.0),
            float(label in by_words), 1 / (1 + min(c["first"], 20)),
            c["mentions"] / max(story["mentions"][kind], 1),
            c["p_name"], float(c["named_headline"]), float(c["named_lead"]),
            math.log1p(c["named_mentions"]),
            c["named_mentions"] / max(story["named"][kind], 1),
            float(bool(c["named"]) and c["named_mentions"] == story["top"][kind]),
            math.log1p(others)]
