"""The "tfidf" ranker: stories that share a story's telling words, blended with its tags,
section and time.

Candidates come from the site's own full-text index (dateline.search: FTS5 on SQLite, the
tsvector's GIN index on PostgreSQL): the stories that use the story's ten heaviest rare words,
each word's list read newest first and cut at 1,000, summed by word weight. The best 40 are
read and scored by TF-IDF cosine of their whole text. Letting the index rank (bm25 over an
OR of the words) read every match's statistics: 130 ms a story at 100,000 stored, against
the target of 30 ms; the lists alone cost a fraction (bench/intel/related.py measures it).
"""

import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from django.db import connections
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.search.backends import get_backend
from dateline.search.query import ParsedQuery, Term

from ..base import Neighbour, RelatedRanker, Story
from .dedupe import plain, text_key, unique_newest
from .terms import DocumentFrequencies, cosine, story_terms

QUERY_TERMS = 10
RARE_SHARE = 0.02  # a query word is used by at most this share of the stories
PER_TERM = 1000  # the newest stories read of each word's list
CANDIDATES = 40  # read and scored in full
HALF_LIFE_DAYS = 30.0
# What the score is made of; the text dominates so that a story about the same thing
# outranks a newer one of the same section about something else.
WEIGHTS = {"text": 0.70, "tags": 0.15, "section": 0.10, "recency": 0.05}
# Untrained, the word counts come from the site's newest stories, read again hourly.
SAMPLE, SAMPLE_SECONDS = 3000, 3600.0
_sampled: dict[str, tuple[float, DocumentFrequencies]] = {}


def _site_sample(database: str) -> DocumentFrequencies:
    found = _sampled.get(database)
    # A small sample (a new site, a test) is cheap to read and soon out of date: read again.
    if found and time.monotonic() - found[0] < SAMPLE_SECONDS and found[1].documents >= 200:
        return found[1]
    rows = (Article.objects.using(database).live().newest_first()
            .values_list("headline", "body")[:SAMPLE])
    frequencies = DocumentFrequencies.of(f"{h} {b}" for h, b in rows.iterator())
    _sampled[database] = (time.monotonic(), frequencies)
    return frequencies


def _live(status: str, published_at: datetime | None, embargo: datetime | None,
          now: datetime) -> bool:
    return (status == Article.Status.PUBLISHED and published_at is not None
            and published_at <= now and (embargo is None or embargo <= now))


class TfidfRanker(RelatedRanker):
    name = "tfidf"
    version = "1"

    def __init__(self, database: str = "default") -> None:
        self.database = database
        self.frequencies: DocumentFrequencies | None = None  # learnt; else the site's sample

    # Learning: the word counts of the examples, kept as JSON.
    def train(self, examples) -> None:
        self.frequencies = DocumentFrequencies.of(
            f"{e.story.headline} {e.story.body}" for e in examples)

    def save(self, folder: Path) -> None:
        if self.frequencies is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "frequencies.json").write_text(json.dumps(
            {"documents": self.frequencies.documents, "df": self.frequencies.df}))

    def load(self, folder: Path) -> bool:
        path = folder / "frequencies.json"
        if not path.exists():
            return False
        data = json.loads(path.read_text())  # plain JSON: nothing in it can run
        self.frequencies = DocumentFrequencies(int(data["documents"]), dict(data["df"]))
        return True

    # Ranking.
    def neighbours(self, story: Story, limit: int) -> list[Neighbour]:
        frequencies = self.frequencies or _site_sample(self.database)
        weights = frequencies.weights(story_terms(story.headline, story.body))
        terms = frequencies.query_terms(weights, QUERY_TERMS, RARE_SHARE)
        if not terms or limit < 1:
            return []
        overlap = self._overlap(terms, weights)
        overlap.pop(story.pk, None)
        best = sorted(overlap, key=lambda pk: (-overlap[pk], -pk))[:CANDIDATES]
        now = timezone.now()
        texts = {pk: (headline, body, published, section) for
                 pk, headline, body, published, section, status, embargo in
                 Article.objects.using(self.database).filter(pk__in=best).values_list(
                     "pk", "headline", "body", "published_at", "section_id", "status",
                     "embargo_until")
                 if _live(status, published, embargo, now)}
        shared = self._shared_tags(story.pk, list(texts))
        reference = story.published_at or now
        scored = []
        for pk, (headline, body, published, section) in texts.items():
            words = story_terms(headline, plain(body))
            days = abs((reference - published).total_seconds()) / 86400.0
            parts = {
                "text": cosine(weights, frequencies.weights(words)),
                "tags": shared.get(pk, 0.0),
                "section": float(story.section_id is not None and section == story.section_id),
                "recency": 0.5 ** (days / HALF_LIFE_DAYS),
            }
            score = sum(WEIGHTS[name] * value for name, value in parts.items())
            scored.append(Neighbour(pk, round(score, 6),
                                    {name: round(value, 4) for name, value in parts.items()}))
        scored.sort(key=lambda n: (-n.score, -n.pk))
        kept = unique_newest([n.pk for n in scored], texts,
                             {text_key(story.headline, story.body, markup=False)})
        by_pk = {n.pk: n for n in scored}
        return [by_pk[pk] for pk in kept[:limit]]

    def _overlap(self, terms: list[str], weights: dict[str, float]) -> Counter:
        """Stories using the terms, each scored by the weights of the terms it uses; one
        statement, each term's list newest first and cut at PER_TERM."""
        backend = get_backend()
        selects, params = [], []
        for i, word in enumerate(terms):
            match, match_params = backend.match_sql(ParsedQuery(groups=[[Term((word,))]]),
                                                    scored=False)
            selects.append(f"SELECT * FROM (SELECT q.id, {i} AS t FROM ({match}) q "
                           f"ORDER BY q.id DESC LIMIT {PER_TERM}) p{i}")
            params += match_params
        overlap: Counter = Counter()
        with connections[self.database].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for pk, i in cursor.fetchall():
                overlap[pk] += weights[terms[i]]
        return overlap

    def _shared_tags(self, pk: int | None, candidates: list[int]) -> dict[int, float]:
        """The share of the story's tags each candidate has too, where the story is stored
        and tagged."""
        if pk is None or not candidates:
            return {}
        through = Article.tags.through.objects.using(self.database)
        own = set(through.filter(article_id=pk).values_list("tag_id", flat=True))
        if not own:
            return {}
        counts: dict[int, int] = {}
        for article_id in (through.filter(article_id__in=candidates, tag_id__in=own)
                           .values_list("article_id", flat=True)):
            counts[article_id] = counts.get(article_id, 0) + 1
        return {article_id: n / len(own) for article_id, n in counts.items()}
