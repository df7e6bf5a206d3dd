"""Writing one analysis down: suggested tags, topics, related stories and the brief.

Editors' decisions are never undone: an accepted or rejected suggestion, a pinned or removed
related story and an edited brief stay as the editor left them. Called by the pipeline
inside one transaction.
"""

from django.conf import settings
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from dateline.newsroom import medtop
from dateline.newsroom.models import Article, Tag

from .models import Brief, Decision, RelatedStory, StoryTopic, TagAlias, TagSuggestion, alias_key

DECIDED = (Decision.ACCEPTED, Decision.REJECTED)
# Computed related stories kept per article: the five shown and a few spare, so that a story
# an editor removes is replaced without waiting for the next analysis.
RELATED_KEPT = 8


def write(article: Article, findings, ran: dict) -> None:
    lock(article)
    if findings.entities is not None or findings.topics is not None:
        # With one of the two parts failed, its earlier suggestions are kept, not dropped.
        complete = findings.entities is not None and findings.topics is not None
        write_suggestions(article, suggested(findings, ran), drop_stale=complete)
    if findings.topics is not None:
        write_topics(article, findings.topics, ran["classifier"].name)
    if findings.neighbours is not None:
        write_related(article, findings.neighbours)
    if findings.brief:
        write_brief(article, findings.brief)


def lock(article: Article) -> None:
    """Hold the story's row (as workflow moves do) for the rest of the transaction, so that an
    editor's decision and an analysis never interleave (PostgreSQL; SQLite writes one at a
    time anyway)."""
    Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()


def suggested(findings, ran: dict) -> dict[int, dict]:
    """The tags suggested, by tag id: {confidence, evidence, origin}, the most confident
    suggestion of a tag found twice."""
    found = []
    for entity in findings.entities or []:
        found.append((entity.kind, entity.name, entity.tag_id, entity.confidence,
                      entity.evidence, ran["tagger"].name))
    for guess in findings.topics or []:
        if guess.scheme == StoryTopic.Scheme.ARCHIVE:
            found.append((Tag.Kind.TOPIC, guess.code, None, guess.confidence, "",
                          ran["classifier"].name))
    by_tag: dict[int, dict] = {}
    for kind, name, tag_id, confidence, evidence, origin in found:
        tag = tag_for(kind, name, tag_id)
        if tag is None:
            continue
        known = by_tag.get(tag.pk)
        if known is None or confidence > known["confidence"]:
            by_tag[tag.pk] = {"confidence": max(0.0, min(1.0, float(confidence))),
                              "evidence": evidence[:200], "origin": origin[:60]}
    return by_tag


def tag_for(kind: str, name: str, tag_id: int | None) -> Tag | None:
    """The site's tag the part means: by id, by slug, name or alias of that kind, else a new
    one. A new tag gets a row now, so a pending suggestion can point at it; it shows on the
    site only once a published story carries it (an editor's accept, or the machine's apply),
    since tag pages list published stories only."""
    if kind not in Tag.Kind.values or not name.strip():
        return None
    if tag_id is not None:
        tag = Tag.objects.filter(pk=tag_id).first()
        if tag is not None:
            return tag
    name = name.strip()[:150]
    slug = slugify(name, allow_unicode=True)[:150] or "tag"
    tag = (Tag.objects.filter(kind=kind, slug=slug).first()
           or Tag.objects.filter(kind=kind, name__iexact=name).first())
    if tag is None:
        alias = (TagAlias.objects.filter(key=alias_key(name), tag__kind=kind)
                 .select_related("tag").order_by("pk").first())
        tag = alias.tag if alias is not None else None
    return tag or Tag.objects.create(kind=kind, name=name, slug=slug)


def taken_off_rejected(article: Article) -> int:
    """The machine put a tag on, or an editor accepted it; an editor took it off: rejected, so
    it never comes back (an accepted one taken off in the Tags box was still "put on the story:
    accepted" in the panel, on neither the story nor the suggestions).
    Run at the save itself (receivers), not only at the next analysis: until the worker came
    to it, the panel still said "Put on the story: … applied by the machine" of a tag the
    Tags field no longer held. One statement: read apart, an analysis committing between the
    tags' read and the suggestions' had its tag taken for one removed."""
    now = timezone.now()
    return (TagSuggestion.objects.filter(article=article,
                                         decision__in=(Decision.APPLIED, Decision.ACCEPTED))
            .exclude(tag__in=article.tags.values("pk"))
            .update(decision=Decision.REJECTED, decided_by=None, decided_at=now,
                    updated_at=now))


def write_suggestions(article: Article, by_tag: dict[int, dict], drop_stale: bool) -> None:
    taken_off_rejected(article)
    now, on_story = timezone.now(), set(article.tags.values_list("pk", flat=True))
    existing = {s.tag_id: s for s in TagSuggestion.objects.filter(article=article)}
    stale = [s.pk for tag, s in existing.items() if s.decision == Decision.PENDING
             and (tag in on_story or (drop_stale and tag not in by_tag))]
    TagSuggestion.objects.filter(pk__in=stale).delete()
    apply_at, applied = settings.DATELINE_INTELLIGENCE_APPLY_AT, []
    for tag_id, found in by_tag.items():
        suggestion = existing.get(tag_id)
        if suggestion is not None and suggestion.decision in DECIDED:
            continue
        if suggestion is None and tag_id in on_story:
            continue  # the editors tagged it already: nothing to suggest
        if suggestion is None:
            suggestion = TagSuggestion(article=article, tag_id=tag_id)
        elif suggestion.pk in stale:
            continue
        suggestion.confidence, suggestion.evidence = found["confidence"], found["evidence"]
        suggestion.origin = found["origin"]
        if suggestion.decision == Decision.PENDING and found["confidence"] >= apply_at:
            suggestion.decision, suggestion.decided_at = Decision.APPLIED, now
            applied.append(tag_id)
        suggestion.save()
    if applied:
        article.tags.add(*applied)
        # The story may have gone to partners in the seconds before its analysis, untagged:
        # it goes again with them. Not an archive's story, whose import was no news.
        Article.objects.filter(pk=article.pk, wire_changed_at__gte=F("modified_at")).send_again()


def write_topics(article: Article, guesses, origin: str) -> None:
    rows = {}
    for guess in guesses:
        if guess.scheme in StoryTopic.Scheme.values and guess.code:
            key = (guess.scheme, str(guess.code)[:60])
            if key not in rows or guess.confidence > rows[key].confidence:
                rows[key] = StoryTopic(article=article, scheme=key[0], code=key[1],
                                       name=(guess.name or "")[:150],
                                       confidence=guess.confidence, origin=origin[:60])
    filed = section_medtop(article)
    if filed:  # the desk's own filing says it surely
        key = (StoryTopic.Scheme.MEDIATOPIC, filed)
        rows[key] = StoryTopic(article=article, scheme=key[0], code=filed,
                               name=medtop.LABELS.get(filed, rows[key].name if key in rows else ""),
                               confidence=1.0, origin="section")
    StoryTopic.objects.filter(article=article).delete()
    StoryTopic.objects.bulk_create(rows.values())


def section_medtop(article: Article) -> str:
    """The Media Topic of the story's section, its nearest ancestor's, or the default of its
    root (newsroom.medtop: the one rule the wire follows too)."""
    if not article.section_id:
        return ""
    return medtop.codes_for([article.section]).get(article.section_id, "")


def write_related(article: Article, neighbours) -> None:
    decided = {r.related_id: r for r in RelatedStory.objects.filter(article=article)
               .exclude(origin=RelatedStory.Origin.COMPUTED)}
    RelatedStory.objects.filter(article=article, origin=RelatedStory.Origin.COMPUTED).delete()
    wanted = [n for n in neighbours if n.pk != article.pk and n.pk not in decided]
    live = set(Article.objects.live().filter(pk__in=[n.pk for n in wanted])
               .values_list("pk", flat=True))
    pinned = [r for r in decided.values() if r.origin == RelatedStory.Origin.PINNED]
    start = max([r.rank for r in pinned], default=-1) + 1
    kept = [n for n in wanted if n.pk in live][:RELATED_KEPT]
    RelatedStory.objects.bulk_create(
        RelatedStory(article=article, related_id=n.pk, score=float(n.score), rank=start + i,
                     origin=RelatedStory.Origin.COMPUTED) for i, n in enumerate(kept))


def write_brief(article: Article, text: str) -> None:
    brief = Brief.objects.filter(article=article).first()
    if brief is None:
        Brief.objects.create(article=article, text=text, machine_text=text)
        return
    brief.machine_text = text
    if not brief.edited:
        brief.text = text
    brief.save()


def next_pinned_rank(article: Article) -> int:
    top = RelatedStory.objects.filter(article=article, origin=RelatedStory.Origin.PINNED
                                      ).aggregate(top=Max("rank"))["top"]
    return 0 if top is None else top + 1
