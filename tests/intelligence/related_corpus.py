"""Real BBC stories for the related-articles tests, stored as the importer stores them."""

import json
from datetime import timedelta
from functools import cache

from django.utils.html import escape

from dateline.intelligence.base import Story
from tests.conftest import require_shared


@cache
def _records() -> dict[str, dict]:
    path = require_shared("corpus/bbc-news/articles.jsonl")
    with path.open(encoding="utf-8") as lines:
        return {r["id"]: r for r in map(json.loads, lines) if r}


def record(record_id: str) -> dict:
    return _records()[record_id]


def of_section(section: str, count: int, skip: set[str] = frozenset()) -> list[dict]:
    found = [r for key, r in sorted(_records().items())
             if r["section"] == section and key not in skip]
    return found[:count]


def html(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def store(make_article, record_id: str, section, age=timedelta(hours=1), **fields):
    r = record(record_id)
    return make_article(r["title"], body=html(r["body"]), section=section, age=age, **fields)


def story_of(record_id: str, pk=None, section_id=None) -> Story:
    r = record(record_id)
    return Story(r["title"], r["body"], pk=pk, section_id=section_id)
