"""The four pluggable parts of newsroom intelligence, each a small base class.

A part sees a story as a `Story` (headline, body text, section, language: what a reader
sees, never the editors' tags or labels), so the benchmark can hand it stories with their
labels hidden, and the worker hands it the same thing for a story being saved.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Story:
    headline: str
    body: str  # plain text, paragraphs separated by a blank line
    pk: int | None = None
    section_id: int | None = None
    published_at: datetime | None = None
    language: str = "en"


@dataclass(frozen=True)
class Labelled:
    """A story with the labels editors gave it, to learn from (`Part.train`) or to score
    against (the benchmark): {"topic": [...], "place": [...], "person": [...],
    "organisation": [...]} of tag names (or an archive's codes, "usa", "james-baker"), and
    the story's section path ("Business/Commodities") where it has one."""

    story: Story
    labels: dict[str, list[str]]
    section: str = ""


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
class Guesses:
    """What the tagger and classifier found in a story, handed to a ranker that reads them
    (`RelatedRanker.reads_guesses`): a new story has no tags yet, only these."""

    entities: tuple[Entity, ...] = ()
    topics: tuple[TopicGuess, ...] = ()


@dataclass(frozen=True)
class Neighbour:
    pk: int
    score: float
    parts: dict = field(default_factory=dict)  # what the score is made of, for the desk


class Part:
    """What every part has: a name (its registry key) and a version (stored with the
    analysis, so that a new version re-analyses stories on rebuild).

    A part that learns does so in `train` (from the site's own tagged stories, by `dateline
    intelligence train`, or from a corpus's training split, by the benchmark) and keeps what
    it learnt under `folder` (DATELINE_INTELLIGENCE_DIR) with `save`/`load`; one that learns
    nothing leaves them as they are. A part must work untrained (empty results are fine).
    """

    name = ""
    version = "1"
    trained_as = ""  # set by plugins.part when it loaded what `train` saved

    def train(self, examples: Iterable["Labelled"]) -> None:
        return None

    def save(self, folder: Path) -> None:
        return None

    def load(self, folder: Path) -> bool:
        """Read what `save` wrote; False when there is nothing (the part stays untrained)."""
        return False


class Tagger(Part):
    def entities(self, story: Story) -> list[Entity]:
        raise NotImplementedError


class TopicClassifier(Part):
    def topics(self, story: Story) -> list[TopicGuess]:
        raise NotImplementedError


class RelatedRanker(Part):
    reads_guesses = False  # True: neighbours() takes the story's Guesses as `guesses`

    def neighbours(self, story: Story, limit: int,
                   guesses: Guesses | None = None) -> list[Neighbour]:
        raise NotImplementedError


# A brief's words are counted (DATELINE_BRIEF_MAX_WORDS); this bounds what one "word" of an
# unspaced or hostile text can make of it (a 5,400-letter run was one word).
BRIEF_MAX_CHARACTERS = 600


class Summariser(Part):
    def brief(self, story: Story, max_words: int) -> str:
        """At most `max_words` words and BRIEF_MAX_CHARACTERS characters."""
        raise NotImplementedError
