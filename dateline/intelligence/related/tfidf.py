"""The "tfidf" ranker: stories that share a story's telling words, blended with its tags,
section and time.

Candidates come from the site's own full-text index (dateline.search: FTS5 on SQLite, the
tsvector's GIN index on PostgreSQL): the stories that use the story's ten heaviest rare words,
each word's list read newest first and cut at 500, summed by word weight. The best 40 are
read and scored by TF-IDF cosine of their text (its opening 2,500 characters). Letting the
index rank (bm25 over an OR of the words) read every match's statistics: 130 ms a story at
100,000 stored, against the target of 30 ms; the lists alone cost a fraction
(bench/intel/related.py measures it).
"""

import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from django.db import connections
from django.db.models.functions import Substr
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.search.backends import get_backend
from dateline.search.query import ParsedQuery, Term

from ..base import Guesses, Neighbour, RelatedRanker, Story
from . import blend
from . import labels as known
from .dedupe import plain, text_key, unique_newest
from .terms import DocumentFrequencies, cosine, story_terms

QUERY_TERMS = 10
RARE_SHARE = 0.1  # a query word is used by at most this share of the stories
PER_TERM = 500  # the newest stories read of each word's list
CANDIDATES = 40  # read and scored by their opening
OPENING = 2500  # characters of a candidate's body read: most of a news story, and quick
HALF_LIFE_DAYS = 30.0
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
    # 2: the story's guessed topics and entities (and its tags) meet the candidates' labels.
    version = "2"
    reads_guesses = True

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
    def neighbours(self, story: Story, limit: int,
                   guesses: Guesses | None = None) -> list[Neighbour]:
        frequencies = self.frequencies or _site_sample(self.database)
        weights = frequencies.weights(story_terms(story.headline, story.body))
        terms = frequencies.query_terms(weights, QUERY_TERMS, RARE_SHARE)
        if not terms or limit < 1:
            return []
        overlap = self._overlap(terms, weights)
        overlap.pop(story.pk, None)
        texts = self._live(sorted(overlap, key=lambda pk: (-overlap[pk], -pk))[:CANDIDATES])
        text = {pk: cosine(weights, frequencies.weights(story_terms(headline, plain(body))))
                for pk, (headline, body, _, _) in texts.items()}
        carried = known.carried(self.database, [*texts, *([story.pk] if story.pk else [])])
        by_label = blend.label_parts(text, carried, carried.pop(story.pk, set()),
                                     known.guessed(guesses))
        sections = {pk: row[3] for pk, row in texts.items()}
        if story.section_id is not None:
            section_part = {pk: float(sections[pk] == story.section_id) for pk in texts}
        else:
            section_part = blend.agreement(text, {pk: {s} for pk, s in sections.items()})
        reference = story.published_at or timezone.now()
        scored = [blend.neighbour(pk, {
            "text": text[pk], **{name: part[pk] for name, part in by_label.items()},
            "section": section_part[pk],
            "recency": 0.5 ** (abs((reference - texts[pk][2]).total_seconds())
                               / 86400.0 / HALF_LIFE_DAYS),
        }) for pk in texts]
        scored.sort(key=lambda n: (-n.score, -n.pk))
        kept = unique_newest([n.pk for n in scored], texts,
                             {text_key(story.headline, story.body, markup=False)})
        by_pk = {n.pk: n for n in scored}
        return [by_pk[pk] for pk in kept[:limit]]

    def _live(self, pks: list[int]) -> dict[int, tuple]:
        """{pk: (headline, body, published_at, section_id)} of those readers can see."""
        now = timezone.now()
        rows = Article.objects.using(self.database).filter(pk__in=pks).values_list(
            "pk", "headline", Substr("body", 1, OPENING), "published_at", "section_id",
            "status", "embargo_until")
        return {pk: (headline, body, published, section)
                for pk, headline, body, published, section, status, embargo in rows
                if _live(status, published, embargo, now)}

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
