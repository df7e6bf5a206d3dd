"""Which stories of a corpus train the parts, which are evaluated, and what a part sees of them.

The rule, the same for every part of `make bench-intel` (and told to the parts' authors):

1. Where any record carries "split", records with "split": "train" train and all the others
   are evaluated.
2. Otherwise the earliest 75% of the dated records (by the moment "published" names, then
   id) train, the rest are evaluated; undated records (and dates the importer would refuse)
   train. A story is judged on what came after
   everything it learnt from, as in a newsroom.
3. A corpus with no dates at all (the BBC archive) would leave nothing to evaluate: there a
   stable quarter is held out instead, the records whose id's SHA-1 ends in a multiple of 4
   (no order to respect, and the same quarter on every machine).

An evaluated story is handed to a part as Story(headline, body) alone: no pk, section,
date or labels. Its labels (names, as the import profile gives its codes) and section stay in
the Labelled for scoring only.
"""

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from dateline.intelligence.base import Labelled, Story
from dateline.newsroom.importer.profile import ImportProfile

TRAIN_SHARE = 0.75
# Record field -> the label kind parts see (as the importer's records.LABEL_FIELDS).
LABEL_FIELDS = {"topics": "topic", "places": "place", "people": "person", "orgs": "organisation"}


class CorpusError(ValueError):
    """A corpus the benchmark cannot judge on, in words naming the file and line."""


def load(path: Path) -> list[dict]:
    """The records of a JSON Lines corpus; CorpusError at the first line that is not one (a
    wrong figure from a half-read file would be worse than none)."""
    records, first_line = [], {}
    try:
        with Path(path).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    record = _record(path, number, line)
                    if (key := str(record["id"])) in first_line:
                        raise CorpusError(f"{path}, line {number}: the id {key!r} again "
                                          f"(first on line {first_line[key]})")
                    first_line[key] = number
                    records.append(record)
    except OSError as error:
        raise CorpusError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{path}: not UTF-8 text") from None
    return records


def _record(path: Path, number: int, line: str) -> dict:
    where = f"{path}, line {number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise CorpusError(f"{where}: not JSON ({error.msg}, column {error.colno})") from None
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: a record is a JSON object, not {type(record).__name__}")
    key = record.get("id")
    if isinstance(key, bool) or not isinstance(key, str | int) or not str(key).strip():
        raise CorpusError(f"{where}: a record needs an \"id\" (a string or a number)")
    # As text without its spaces, the form the importer keeps (it refuses a number): the
    # stories stored are then found again by it.
    record["id"] = str(key).strip()
    for field in ("title", "body"):
        if not isinstance(record.get(field), str | None):
            raise CorpusError(f"{where}: \"{field}\" is text, not {_kind(record[field])}")
    for field in LABEL_FIELDS:
        codes = record.get(field)
        if codes is not None and not (isinstance(codes, list)
                                      and all(isinstance(c, str | int) for c in codes)):
            raise CorpusError(f"{where}: \"{field}\" is a list of codes, not {_kind(codes)}")
    return record


def _kind(value) -> str:
    return {dict: "an object", list: "a list", bool: "true or false"}.get(
        type(value), type(value).__name__)


def require_both(train: list[dict], test: list[dict], path: Path) -> None:
    """CorpusError unless the split leaves stories to learn from and stories to judge."""
    if not train and not test:
        raise CorpusError(f"{path}: no records")
    if not test:
        raise CorpusError(f"{path}: all {len(train):,} records train, none is held out to "
                          "judge (a \"split\" other than \"train\", or dates, hold some out)")
    if not train:
        raise CorpusError(f"{path}: all {len(test):,} records are held out, none trains "
                          "(give some \"split\": \"train\")")


def split(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """(train, test) by the rule above, each in the corpus's order."""
    if any("split" in record for record in records):
        return ([r for r in records if r.get("split") == "train"],
                [r for r in records if r.get("split") != "train"])
    moments = {id(r): moment for r in records if (moment := _moment(r.get("published")))}
    dated = sorted((r for r in records if id(r) in moments),
                   key=lambda r: (moments[id(r)], str(r["id"])))
    if not dated:
        held = {id(r) for r in records if _quarter(r)}
    else:
        held = {id(r) for r in dated[int(len(dated) * TRAIN_SHARE):]}
    return ([r for r in records if id(r) not in held], [r for r in records if id(r) in held])


def _moment(value) -> datetime | None:
    """When a record was published, as the importer reads it (ISO 8601; no offset is taken as
    UTC here, the same for every record): "09:00+09:00" comes before "23:30-05:00" of the
    day before, which compared as text it did not. None where the importer would refuse it."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _quarter(record: dict) -> bool:
    return hashlib.sha1(str(record["id"]).encode()).digest()[-1] % 4 == 0


def labelled(record: dict, profile: ImportProfile) -> Labelled:
    """The record as an example: its labels by kind as names, as the import names them
    (an ImportProfile() without tables title-cases codes, as the importer does)."""
    labels = {kind: _unique(profile.label_name(kind, str(code))
                            for code in record.get(field) or ())
              for field, kind in LABEL_FIELDS.items()}
    return Labelled(story=Story(headline=record.get("title") or "", body=record.get("body") or ""),
                    labels=labels, section=section_path(record, profile))


def section_path(record: dict, profile: ImportProfile) -> str:
    """The section the importer files the record under (its loader's section_for)."""
    if code := str(record.get("section") or ""):
        path = profile.sections.get(code, code)
    elif (places := record.get("places")) and profile.place_section:
        path = f"{profile.place_section}/{profile.label_name('place', str(places[0]))}"
    else:
        path = profile.default_section
    return "/".join(n.strip() for n in path.replace("»", "/").split("/") if n.strip()) or "News"


def indexed(example: Labelled) -> bool:
    """Whether the editors indexed the story at all: gave it at least one label of any kind.

    A story with none was never judged, not judged to name no place or person: Reuters-21578
    has runs of such items (currency tables, market quotes, items never indexed), 413 of the
    3,216 held-out stories against 120 of the 9,649 training ones. Tags are scored over
    indexed stories, as topics are over stories with a topic (published Reuters-21578 results
    count them so); the figures over every story are printed beside them."""
    return any(example.labels.get(kind) for kind in LABEL_FIELDS.values())


def hidden(example: Labelled) -> Labelled:
    """The same example whose story carries only headline and body: what a part is given."""
    return replace(example, story=Story(headline=example.story.headline,
                                        body=example.story.body))


def _unique(names) -> list[str]:
    return list(dict.fromkeys(names))
