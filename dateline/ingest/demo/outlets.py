"""The demo outlets, the archive stories each replays, and the documented rewrite rule.

Two outlets replay the archive as it was filed (the Reuters wire, the BBC); two "rewrite" what
those send, as a real outlet rewrites a wire story, so that clusters appear: the same story
from two outlets with different wording. The rule, the same for both rewriters:

- the headline is shortened to its first REWRITE_WORDS words;
- the body is the first paragraph only;
- an outlet carries every story that names a featured term and one in REWRITE_EVERY of the
  rest.

Featured terms are the monitor's (DATELINE_WATCHED_TERMS: the site's country, Bulgaria by
default), so that it has something to show: every FEATURE_EVERY-th slot replays one of the
archive's own stories that names them (6 Reuters and 11 distinct BBC stories name Bulgaria or
Sofia; two of the BBC's mean Sofia Coppola, as a real feed would).
Nothing is invented: where no story names them (another country), the demo features
FALLBACK_TERMS instead, Japan, which 954 Reuters and 120 BBC stories name, and
`demo_outlets --seed` adds those to the watched terms, so the monitor still shows its work.
"""

import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

FALLBACK_TERMS = ("Japan", "Japanese", "Tokyo")
REWRITE_WORDS = 6
REWRITE_EVERY = 3
# Every 24th story: one every two hours on the wire, every 3.2 hours from the BBC.
FEATURE_EVERY = 24
# Archive stories shorter than this are price tables and one-line notices, not stories.
MIN_BODY_CHARS = 400
# The Reuters wire marks a ticker "<SBC>" and an unlisted company "<Lloyds Bank PLC>"; feed
# readers take both for HTML tags and drop them, so the demo writes "(SBC)" and the bare name.
_WIRE_MARK = re.compile(r"<([^<>\n]{1,80})>")


def _unmarked(text: str) -> str:
    return _WIRE_MARK.sub(
        lambda m: f"({m[1]})" if re.fullmatch(r"[A-Z.]{1,6}", m[1]) else m[1], text)


@dataclass(frozen=True)
class Story:
    key: str  # the corpus record's id
    headline: str
    paragraphs: tuple[str, ...]
    section: str

    def names(self, terms: re.Pattern) -> bool:
        return bool(terms.search(self.headline) or any(map(terms.search, self.paragraphs)))

    def rewritten(self) -> "Story":
        words = self.headline.split()
        headline = " ".join(words[:REWRITE_WORDS]) + (" …" if len(words) > REWRITE_WORDS else "")
        return Story(self.key, headline, self.paragraphs[:1], self.section)


@dataclass(frozen=True)
class Outlet:
    slug: str
    name: str
    format: str  # rss, atom, jsonfeed, ninjs
    corpus: str  # the folder under the corpus root
    description: str
    zone: str  # the zone its times are written in
    period_s: int  # a new story every period_s seconds
    window: int  # how many of the newest stories its feed lists
    rewrites: str = ""  # the slug of the outlet whose stories it rewrites
    delay_s: int = 0  # how long after the original the rewrite appears
    author: str = ""  # whom its feed credits: the archive's outlet, or the rewriter itself

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


OUTLETS = (
    Outlet("reuters-wire", "Demo outlet — Reuters archive (replay)", "rss",
           "reuters-21578-train",
           "A demo, not a live source: Reuters wire stories of 1987 from the archive, replayed "
           "one every five minutes with their times moved to now.",
           "America/New_York", period_s=300, window=36, author="Reuters"),
    Outlet("wire-digest", "Demo outlet — Wire digest, rewritten Reuters (replay)", "jsonfeed",
           "reuters-21578-train",
           "A demo, not a live source: rewrites the Reuters replay as an outlet rewrites a wire "
           f"story (headline shortened to {REWRITE_WORDS} words, first paragraph only), every "
           "story naming the monitor's watched terms and one in "
           f"{REWRITE_EVERY} of the rest, four minutes after the wire.",
           "Asia/Tokyo", period_s=300, window=36, rewrites="reuters-wire", delay_s=240,
           author="Demo wire digest desk"),
    Outlet("bbc-archive", "Demo outlet — BBC archive (replay)", "atom", "bbc-news",
           "A demo, not a live source: BBC News stories of 2004-2005 from the archive, replayed "
           "one every eight minutes with their times moved to now.",
           "Europe/London", period_s=480, window=30, author="BBC News"),
    Outlet("world-briefs", "Demo outlet — World briefs, rewritten BBC (replay)", "ninjs",
           "bbc-news",
           "A demo, not a live source: rewrites the BBC replay (headline shortened to "
           f"{REWRITE_WORDS} words, first paragraph only), every story naming the "
           f"monitor's watched terms and one in {REWRITE_EVERY} of the rest, five minutes "
           "after the BBC.",
           "Europe/Paris", period_s=480, window=30, rewrites="bbc-archive", delay_s=300,
           author="Demo world briefs desk"),
)
BY_SLUG = {outlet.slug: outlet for outlet in OUTLETS}


@cache  # a few MB, read once per process however many replays ask
def load_stories(corpus_root: Path, folder: str) -> tuple[Story, ...]:
    """The corpus's stories in file order, each body once (the BBC set repeats 133 bodies)."""
    path = corpus_root / folder / "articles.jsonl"
    stories, bodies = [], set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            body = (record.get("body") or "").strip()
            if len(body) < MIN_BODY_CHARS or body in bodies or not record.get("title"):
                continue
            bodies.add(body)
            paragraphs = tuple(_unmarked(p.strip()) for p in body.split("\n\n") if p.strip())
            stories.append(Story(record["id"], _unmarked(record["title"].strip()), paragraphs,
                                 record.get("section") or ""))
    if not stories:
        raise ValueError(f"{path} holds no story the demo can replay.")
    return tuple(stories)


def terms_pattern(terms) -> re.Pattern:
    """Whole words, as written ("Sofia", not "sofia"), any of them."""
    return re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b")


@cache
def featured(corpus_root: Path, folder: str, terms: tuple[str, ...]) -> tuple[Story, ...]:
    """The corpus's stories that name any of these terms, in file order."""
    if not terms:
        return ()
    pattern = terms_pattern(terms)
    return tuple(story for story in load_stories(corpus_root, folder) if story.names(pattern))


def featured_terms(corpus_root: Path, site_terms) -> tuple[str, ...]:
    """The site's watched terms if the archive names them, else FALLBACK_TERMS."""
    site_terms = tuple(site_terms)
    folders = {outlet.corpus for outlet in OUTLETS}
    if any(featured(corpus_root, folder, site_terms) for folder in sorted(folders)):
        return site_terms
    return FALLBACK_TERMS
