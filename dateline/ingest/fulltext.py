"""A story's full text from its page, where a feed gives only a teaser (Feed.full_text).

The page is fetched like the feed (same limits, same turn per host); trafilatura finds the
article in it, and its HTML is sanitised as any story body is. Whatever fails leaves the
teaser alone: a missing full text is no reason to lose the item.
"""

import logging

import trafilatura

from dateline.newsroom.html import plain_text, sanitize_body

from .fetching import fetch
from .parsers.text import MAX_BODY
from .services.base import ServiceError

logger = logging.getLogger(__name__)

# A body shorter than this many words is a teaser, worth completing from the page.
TEASER_WORDS = 80


def is_teaser(body: str, summary: str) -> bool:
    return len(plain_text(body or summary).split()) < TEASER_WORDS


def full_text(url: str) -> str:
    """The sanitised HTML of the article at `url`, or "" when there is none to be had."""
    try:
        answer = fetch(url)
    except ServiceError as exc:
        logger.info("No full text from %s: %s", url, exc)
        return ""
    except Exception:  # a bug on one page must not cost the feed its poll
        logger.exception("Fetching the full text of %s failed", url)
        return ""
    if answer.not_modified or not answer.body:
        return ""
    try:
        found = trafilatura.extract(answer.body, url=answer.url, output_format="html",
                                    include_comments=False, include_images=False,
                                    include_tables=False, favor_precision=True)
    except Exception:  # a library's failure on hostile HTML must not cost the item
        logger.exception("trafilatura failed on %s", url)
        return ""
    # Bounded as a feed's own bodies are: a 3.3 MB page made a draft the desk's form could
    # never save (it takes 2.5 MB).
    return sanitize_body(found[:MAX_BODY]) if found else ""
