"""The briefs of held-out stories, described (no target: a brief's quality is read, not
scored against a label): their length in words, the share within the limit and ending with a
full stop, dangling quotes, and how often an attributed lead keeps its attribution."""

import re
import statistics
import time

ATTRIBUTION = re.compile(r"\b(said|says|told|according to)\b")
FULL_STOP = re.compile(r"[.!?…][\"”’')\]]*$")  # noqa: RUF001 - closing quotes


def evaluate(stories: list) -> dict:
    from django.conf import settings

    from dateline.intelligence.briefs import sentences
    from dateline.intelligence.plugins import part

    summariser = part("summariser")
    limit = settings.DATELINE_BRIEF_MAX_WORDS
    started = time.perf_counter()
    briefs = [summariser.brief(story, limit) for story in stories]
    seconds = time.perf_counter() - started
    counts = [sentences.words(b) for b in briefs] or [0]
    attributed = kept = 0
    for story, brief in zip(stories, briefs, strict=True):
        paragraphs = sentences.paragraphs(story.body)
        lead = sentences.split(paragraphs[0])[:1] if paragraphs else []
        if lead and ATTRIBUTION.search(lead[0]):
            attributed += 1
            kept += bool(ATTRIBUTION.search(brief))
    n = max(len(briefs), 1)
    return {
        "stories": len(briefs),
        "words_min": min(counts), "words_median": statistics.median(counts),
        "words_max": max(counts),
        f"within_{limit}_words": sum(c <= limit for c in counts) / n,
        "ending_with_a_full_stop": sum(bool(FULL_STOP.search(b)) for b in briefs) / n,
        "dangling_quotes": sum(sentences.double_quotes(b) % 2 for b in briefs),
        "empty": sum(not b.strip() for b in briefs),
        "attributed_leads": attributed, "attribution_kept": kept,
        "ms_per_brief": 1000 * seconds / n,
    }
