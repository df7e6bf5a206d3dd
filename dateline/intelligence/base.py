"""The four pluggable parts of newsroom intelligence, each a small base class.

A part sees a story as a `Story` (headline, body text, section, language: what a reader
sees, never the editors' tags or labels), so the benchmark can hand it stories with their
labels hidden, and the worker hands it the same thing for a story being saved.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Story:
    headline: str
    body: str  # plain text, paragraphs separated by a blank line
    pk: int | None = None
    section_id: int | None = None
    published_at: datetime | None = None
    language: str = "en"


@dataclass(frozen=True)
class Entity:
    """A person, place or organisation named in a story."""

    kind: str  # newsroom Tag.Kind: person, place, organisation
    name: str  # the tag's name, where the tagger knows the tag; else the words found
    confidence: float  # 0..1
    tag_id: int | None = None  # an existing tag, matched by name or alias
    evidence: str = ""  # the words of the story it was found from


@dataclass(frozen=True)
class TopicGuess:
    scheme: str  # "medtop" or "archive" (StoryTopic.Scheme)
    code: str
    confidence: float
    name: str = ""


@dataclass(frozen=True)
class Neighbour:
    pk: int
    score: float
    parts: dict = field(default_factory=dict)  # what the score is made of, for the desk


class Part:
    """What every part has: a name (its registry key) and a version (stored with the
    analysis, so that a new version re-analyses stories on rebuild)."""

    name = ""
    version = "1"


class Tagger(Part):
    def entities(self, story: Story) -> list[Entity]:
        raise NotImplementedError


class TopicClassifier(Part):
    def topics(self, story: Story) -> list[TopicGuess]:
        raise NotImplementedError


class RelatedRanker(Part):
    def neighbours(self, story: Story, limit: int) -> list[Neighbour]:
        raise NotImplementedError


class Summariser(Part):
    def brief(self, story: Story, max_words: int) -> str:
        raise NotImplementedError
