"""A stored article as the parts see it (a `Story`), and with its editors' labels (`Labelled`).

The body's HTML becomes plain text by the newsroom's own reading of it (the revisions' diff
uses the same): one paragraph per block, separated by a blank line, entities decoded.
"""

import hashlib
import re

from dateline.newsroom.diff import readable_text
from dateline.newsroom.models import Article

from .base import Labelled, Story
from .briefs.sentences import LIST_ITEM

# A list item reads as one, as plain text writes it ("• Roads get more money."): the brief
# takes prose only, and a list's items, full stops and all, are not the lead's sentences.
_ITEM_START = re.compile(r"<li\b[^>]{0,500}>", re.IGNORECASE)


def story_of(article: Article) -> Story:
    """What a reader sees of `article`, never its tags, labels or section name."""
    marked = _ITEM_START.sub(lambda found: found.group(0) + LIST_ITEM, article.body or "")
    paragraphs = readable_text(marked).splitlines()
    return Story(headline=article.headline, body="\n\n".join(paragraphs), pk=article.pk,
                 section_id=article.section_id, published_at=article.published_at)


def labelled_of(article: Article) -> Labelled:
    """The story with its tags' names by kind and its section's path, to learn from.

    Reads article.tags.all() (prefetch "tags" and select "section" when there are many)."""
    labels: dict[str, list[str]] = {}
    for tag in article.tags.all():
        labels.setdefault(tag.kind, []).append(tag.name)
    section = article.section.path if article.section_id else ""
    return Labelled(story=story_of(article), labels=labels, section=section)


def brief_basis(article: Article) -> str:
    """Of the words a brief is written from: the headline, the standfirst and the body."""
    text = "\x1f".join([article.headline, article.standfirst, article.body])
    return hashlib.sha256(text.encode()).hexdigest()


def text_hash(article: Article) -> str:
    """Of what the parts read: a save that changed neither the text nor the section (a byline,
    a tag, a workflow move) leaves it as it was, and the analysis is skipped."""
    text = "\x1f".join([article.headline, article.body, str(article.section_id or "")])
    return hashlib.sha256(text.encode()).hexdigest()
