"""Build the labelled pairs of the ingest benchmark from a corpus in the shared JSON Lines
format (`python bench/ingest/make_pairs.py [CORPUS.jsonl] > pairs.jsonl`).

The rule, written down in bench/README.md ("Ingest: the evaluation set"), uses the wire's own
dates, titles and editors' labels, never the text similarity being measured:

near_duplicate  1  the wire's repeats: same day and the same headline (or the same body)
                1  an outlet's rewrite of a story (rewrite() below, "rewrite:<id>")
                0  same day, same first topic, different headline and body
same_story      1  same day, a shared topic, a shared place, a shared organisation or
                   person label, and a shared headline key word other than that actor's name
                   (not a repeat)
                0  same day and a shared topic, but no shared place, organisation or person
                0  same topic and places, 4 to 30 days apart (another event of the same kind)
                0  two companies' news the same day: first topic acq (or earn), a shared
                   place, no headline key word in common (names and tickers differ)

A pair is in the "dev" split (thresholds tuned on it) when its first item's day of the year
is even, else in "test" (held out, reported).
"""

import json
import random
import re
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations, pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT.parent / "shared" / "corpus" / "reuters-21578-train" / "articles.jsonl"
MIN_WORDS = 40  # shorter items (one-line notices) say too little to compare
PER_KIND = 400  # at most this many pairs per (kind, label, rule), sampled with a fixed seed
REWRITE_AFTER = timedelta(hours=2)

# How an outlet rewrites a wire story: its own words for the wire's abbreviations.
SPELL_OUT = {"mln": "million", "bln": "billion", "pct": "percent", "dlrs": "dollars",
             "cts": "cents", "qtr": "quarter", "shr": "share", "vs": "against", "U.S.": "US"}


LABELS = ("topics", "places", "people", "orgs")


def load(path: Path) -> dict:
    """The corpus's dated stories of MIN_WORDS or more, by id, in one shape: id and text as
    strings, every label field a list, the date in UTC without its zone. A record with no date
    that reads as one is left out (the rule pairs stories by day); a line that is no record
    stops the run, naming it."""
    records = {}
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                record = _story(_record(path, number, line)) if line.strip() else None
                if record and len(record["body"].split()) >= MIN_WORDS:
                    records[record["id"]] = record
    except OSError as error:
        raise SystemExit(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise SystemExit(f"{path}: not UTF-8 text") from None
    return records


def _record(path: Path, number: int, line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise SystemExit(f"{path}, line {number}: not JSON ({error.msg}, column "
                         f"{error.colno})") from None
    if not isinstance(record, dict) or not str(record.get("id") or "").strip():
        raise SystemExit(f"{path}, line {number}: a record is a JSON object with an \"id\"")
    return record


def _story(record: dict) -> dict | None:
    try:
        published = datetime.fromisoformat(str(record.get("published") or ""))
    except ValueError:
        return None
    if published.tzinfo is not None:  # aware and naive dates are compared with each other
        published = published.astimezone(UTC).replace(tzinfo=None)
    text = {field: record[field] if isinstance(record.get(field), str) else ""
            for field in ("title", "body")}
    labels = {field: [str(code) for code in record[field]]
              if isinstance(record.get(field), list) else [] for field in LABELS}
    return {**record, **text, **labels, "id": str(record["id"]),
            "published": published.isoformat()}


def rewrite(record: dict) -> dict:
    """An outlet's rewrite: headline in sentence case, abbreviations spelt out, the last
    paragraph dropped when there are three or more, every fifth sentence left out (from the
    second paragraph on), published two hours later."""
    paragraphs = [p for p in record["body"].split("\n\n") if p.strip()]
    if len(paragraphs) >= 3:
        paragraphs = paragraphs[:-1]
    kept, count = [], 0
    for n, paragraph in enumerate(paragraphs):
        sentences = re.split(r"(?<=[.!?])\s+", paragraph.strip())
        out = []
        for sentence in sentences:
            count += 1
            if n == 0 or count % 5 or len(sentences) == 1:
                out.append(sentence)
        kept.append(" ".join(out))
    body = "\n\n".join(kept)
    for short, long in SPELL_OUT.items():
        body = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", long, body)
    title = record["title"].capitalize()
    published = datetime.fromisoformat(record["published"]) + REWRITE_AFTER
    return {**record, "id": f"rewrite:{record['id']}", "title": title, "body": body,
            "published": published.isoformat()}


def resolve(records: dict, key: str) -> dict:
    return rewrite(records[key.removeprefix("rewrite:")]) if key.startswith("rewrite:") \
        else records[key]


def _day(record: dict) -> str:
    return record["published"][:10]


def _norm(title: str) -> str:
    return " ".join(re.findall(r"\w+", title.upper()))


def pairs(records: dict) -> list[dict]:
    by_day = defaultdict(list)
    for record in records.values():
        by_day[_day(record)].append(record)
    repeat_of, found = {}, defaultdict(list)
    for items in by_day.values():
        groups = defaultdict(list)
        for record in items:
            groups[("t", _norm(record["title"]))].append(record["id"])
            groups[("b", record["body"].strip())].append(record["id"])
        for ids in groups.values():
            for a, b in combinations(sorted(ids, key=_newid), 2):
                if frozenset((a, b)) not in repeat_of:
                    repeat_of[frozenset((a, b))] = True
                    found["near_duplicate", 1, "wire repeat"].append((a, b))
    repeated = {i for pair in repeat_of for i in pair}
    originals = sorted((i for i in records if i not in repeated), key=_newid)
    for key in originals[::7]:
        found["near_duplicate", 1, "rewrite"].append((key, f"rewrite:{key}"))
    for items in by_day.values():
        items = sorted(items, key=lambda r: _newid(r["id"]))
        for a, b in combinations(items, 2):
            if frozenset((a["id"], b["id"])) in repeat_of:
                continue
            topics = set(a["topics"]) & set(b["topics"])
            if not topics:
                continue
            if a["topics"][:1] == b["topics"][:1] and not (
                    {a["id"], b["id"]} & repeated):
                found["near_duplicate", 0, "same day and topic"].append((a["id"], b["id"]))
            places = set(a["places"]) & set(b["places"])
            actors = (set(a["orgs"]) & set(b["orgs"])) | (set(a["people"]) & set(b["people"]))
            if places and actors and _key_words(a, actors) & _key_words(b, actors):
                found["same_story", 1, "same day, topic, place, actor and key word"].append(
                    (a["id"], b["id"]))
            elif not places and not actors and not ({a["id"], b["id"]} & repeated):
                found["same_story", 0, "same day and topic, other places and actors"].append(
                    (a["id"], b["id"]))
    found.update(_later_events(records, repeated))
    found.update(_other_companies(by_day, repeat_of))
    rows, chance = [], random.Random(18)
    for (kind, label, rule), found_pairs in sorted(found.items()):
        if len(found_pairs) > PER_KIND:
            found_pairs = sorted(chance.sample(found_pairs, PER_KIND))
        for a, b in found_pairs:
            split = "dev" if datetime.fromisoformat(
                records[a]["published"]).timetuple().tm_yday % 2 == 0 else "test"
            rows.append({"kind": kind, "label": label, "a": a, "b": b, "split": split,
                         "rule": rule})
    return rows


def _later_events(records: dict, repeated: set) -> dict:
    """Same topic and places, 4 to 30 days apart: the same kind of story, another event."""
    by_labels = defaultdict(list)
    for record in records.values():
        if record["topics"] and record["places"] and record["id"] not in repeated:
            by_labels[tuple(record["topics"]), tuple(sorted(record["places"]))].append(record)
    found = []
    for items in by_labels.values():
        items.sort(key=lambda r: r["published"])
        for a, b in pairwise(items):
            gap = datetime.fromisoformat(b["published"]) - datetime.fromisoformat(a["published"])
            if timedelta(days=4) <= gap <= timedelta(days=30):
                found.append((a["id"], b["id"]))
    return {("same_story", 0, "same topic and places, another week"): found}


def _other_companies(by_day: dict, repeat_of: dict) -> dict:
    """Same day, same kind of company news, a shared place: the hard negatives, stories that
    share a desk's section, the hour and the vocabulary ("acquire", "stake", "net", "qtr")
    but not the company, the one thing that makes them one story."""
    found = defaultdict(list)
    for items in by_day.values():
        items = sorted(items, key=lambda r: _newid(r["id"]))
        for a, b in combinations(items, 2):
            kind = a["topics"][:1]
            if kind != b["topics"][:1] or kind not in (["acq"], ["earn"]):
                continue
            if frozenset((a["id"], b["id"])) in repeat_of or not (
                    set(a["places"]) & set(b["places"])):
                continue
            if not _key_words(a, set()) & _key_words(b, set()):
                found["same_story", 0, f"same day, {kind[0]}, another company"].append(
                    (a["id"], b["id"]))
    return found


# Headline words that name no event: wire verbs, and the words of any economic story.
PLAIN = frozenset({"SAYS", "SAID", "SEES", "SEEN", "WILL", "WANTS", "URGES", "WARNS", "TALKS",
    "PLAN", "PLANS", "MINISTER", "SOURCES", "REPORT", "OFFICIAL", "OFFICIALS", "AFTER", "OVER",
    "WITH", "FROM", "THAT", "THIS", "INTO", "MORE", "LESS", "NEAR", "YEAR", "WEEK", "TRADE",
    "CORRECTED", "U.S.", "U.K.", "GROWTH"})


def _key_words(record: dict, actors: set) -> set:
    names = {part.upper() for actor in actors for part in actor.split("-")}
    words = {w.strip("'S") for w in re.findall(r"[A-Z][A-Z'.-]+", record["title"])}
    return {w for w in words if len(w) >= 4 and w not in PLAIN and w not in names}


def _newid(key: str) -> int:
    return int(key.rsplit("-", 1)[-1]) if key.rsplit("-", 1)[-1].isdigit() else 0


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    for row in pairs(load(path)):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
