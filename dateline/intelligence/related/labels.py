"""What a candidate shares with the story: the labels it carries (its tags, and the archive
topics an analysis stored for it) against the story's own tags and, for a story not yet
tagged too, the topics the classifier guessed of it.

Labels are compared as (kind, name) with names as aliases compare them ("U.S." = "us"), so a
guessed "Grain" meets the topic tag "grain".
"""

from dateline.newsroom.models import Article, Tag

from ..base import Guesses
from ..models import StoryTopic, alias_key

Label = tuple[str, str]


def guessed(guesses: Guesses | None) -> dict[Label, float]:
    """{label: confidence} of the story's guessed archive topics."""
    found: dict[Label, float] = {}
    for guess in guesses.topics if guesses is not None else ():
        if guess.scheme == StoryTopic.Scheme.ARCHIVE:
            label = (str(Tag.Kind.TOPIC), alias_key(guess.code))
            found[label] = max(found.get(label, 0.0), float(guess.confidence))
    return found


def carried(database: str, pks: list[int]) -> dict[int, set[Label]]:
    """Each story's labels: its tags, and the archive topics stored by its analysis (a story
    the machine read but no editor tagged still says what it is about)."""
    found: dict[int, set[Label]] = {}
    rows = (Article.tags.through.objects.using(database).filter(article_id__in=pks)
            .values_list("article_id", "tag__kind", "tag__name"))
    topics = (StoryTopic.objects.using(database)
              .filter(article_id__in=pks, scheme=StoryTopic.Scheme.ARCHIVE)
              .values_list("article_id", "code"))
    for pk, kind, name in rows:
        found.setdefault(pk, set()).add((kind, alias_key(name)))
    for pk, code in topics:
        found.setdefault(pk, set()).add((Tag.Kind.TOPIC, alias_key(code)))
    return found


def is_topic(label: Label) -> bool:
    return label[0] == Tag.Kind.TOPIC


def shared_topic(wanted: dict[Label, float], theirs: set[Label]) -> float:
    """The surest of the story's topics (`wanted`: {label: confidence}) the candidate
    carries: one shared topic makes it about the same subject."""
    return max((c for label, c in wanted.items() if label in theirs), default=0.0)


def shared_tags(own: set[Label], theirs: set[Label]) -> float:
    """The share of the story's own people, places and organisations the candidate carries."""
    return len(own & theirs) / len(own) if own else 0.0
