"""Analysing one story: the four chosen parts run, and what they found is written down.

The parts run outside any transaction (a model can take a moment); what they found is then
written in one transaction (records.py), so the desk never sees half an analysis. A part that
fails is logged and left out: the others' findings are still written, and what the failed
part found last time is kept. Unchanged text analysed by the same parts is skipped.
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.pagecache.invalidation import gathered

from . import plugins, records
from .base import Guesses, Story
from .duplicates import near_duplicates
from .models import Analysis
from .text import story_of, text_hash

logger = logging.getLogger(__name__)

KINDS = ("tagger", "classifier", "ranker", "summariser")
# The ranker's nearest are also the candidates of the near-duplicate check.
DUPLICATE_CANDIDATES = 20


@dataclass
class Findings:
    """What the parts found; None where a part failed (what it found before is kept)."""

    entities: list | None = None
    topics: list | None = None
    neighbours: list | None = None
    brief: str | None = None
    failed: list[str] = field(default_factory=list)


def chosen_parts() -> dict:
    """The part of each kind the settings choose, loaded; a part that cannot load is left out."""
    parts = {}
    for kind in KINDS:
        try:
            parts[kind] = plugins.part(kind)
        except Exception:
            logger.exception("intelligence: the %s %r could not be loaded; left out", kind,
                             settings.DATELINE_INTELLIGENCE_USE.get(kind))
    return parts


def version_of(parts: dict) -> str:
    """The parts that analysed a story, with their versions; a failed part is absent, so the
    next analysis runs again even on unchanged text."""
    text = "+".join(f"{part.name}:{part.version}" + (f"@{part.trained_as}" if part.trained_as
                                                      else "") for part in parts.values())
    # Analysis.version holds 200 characters: a longer one keeps its start and a digest of all.
    if len(text) <= 200:
        return text
    return f"{text[:187]}~{hashlib.sha256(text.encode()).hexdigest()[:12]}"


def analyse_all(article_ids, *, force: bool = False, parts: dict | None = None) -> int:
    """Analyse many stories (an import's, an archive's); how many were analysed. The pages
    they change are renewed every few seconds, not story by story (pagecache's gathered)."""
    analysed = 0
    with gathered() as gathering:
        for pk in article_ids:
            analysed += analyse(pk, force=force, parts=parts)
            gathering.due()
    return analysed


def analyse(article: Article | int, *, force: bool = False, parts: dict | None = None) -> bool:
    """Analyse the story and write what the parts found; False when skipped (unchanged text
    and parts, unless `force`) or when the story is gone. `parts` lets a rebuild load them
    once for a whole batch."""
    pk = article.pk if isinstance(article, Article) else article
    article = Article.objects.select_related("section").filter(pk=pk).first()
    if article is None:
        return False
    parts = chosen_parts() if parts is None else parts
    digest = text_hash(article)
    done = Analysis.objects.filter(article=article).first()
    if (not force and done is not None and done.text_hash == digest
            and done.version == version_of(parts)):
        return False
    findings = run_parts(article, parts)
    ran = {kind: part for kind, part in parts.items() if kind not in findings.failed}
    duplicates = near_duplicates(article, story_of(article),
                                 [n.pk for n in (findings.neighbours or [])][:DUPLICATE_CANDIDATES])
    with transaction.atomic():
        records.write(article, findings, ran)
        Analysis.objects.update_or_create(article=article, defaults={
            "text_hash": digest, "version": version_of(ran), "analysed_at": timezone.now(),
            "near_duplicates": duplicates})
    return True


def run_parts(article: Article, parts: dict) -> Findings:
    return findings_for(story_of(article), parts, article.pk)


def findings_for(story: Story, parts: dict, pk: int | None = None) -> Findings:
    """The parts run on one story in turn; the ranker, last but the summariser, is handed
    what the tagger and classifier found when it reads them (the benchmark ranks its hidden
    stories by this same call)."""
    found = Findings()
    calls = {
        "tagger": ("entities", lambda part: part.entities(story)),
        "classifier": ("topics", lambda part: part.topics(story)),
        "ranker": ("neighbours", lambda part: rank(part, story, found)),
        "summariser": ("brief", lambda part: part.brief(
            story, settings.DATELINE_BRIEF_MAX_WORDS)),
    }
    for kind, (attribute, call) in calls.items():
        if kind not in parts:
            found.failed.append(kind)
            continue
        try:
            setattr(found, attribute, list(call(parts[kind])) if attribute != "brief"
                    else call(parts[kind]))
        except Exception:
            # Never a failed save or a stuck queue for one part's bug: the others' work stands.
            logger.exception("intelligence: the %s %r failed on article %s; left out", kind,
                             parts[kind].name, pk)
            found.failed.append(kind)
    return found


def rank(ranker, story: Story, found: Findings) -> list:
    if not ranker.reads_guesses:
        return ranker.neighbours(story, DUPLICATE_CANDIDATES)
    guesses = Guesses(tuple(found.entities or ()), tuple(found.topics or ()))
    return ranker.neighbours(story, DUPLICATE_CANDIDATES, guesses=guesses)


def refresh_related(article_id: int, part=None) -> bool:
    """Only the story's related list, from the ranker (a neighbour was published)."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return False
    try:
        part = part or plugins.part("ranker")
        found = list(part.neighbours(story_of(article), DUPLICATE_CANDIDATES))
    except Exception:
        logger.exception("intelligence: the ranker failed on article %s", article_id)
        return False
    with transaction.atomic():
        records.lock(article)
        records.write_related(article, found)
    return True
