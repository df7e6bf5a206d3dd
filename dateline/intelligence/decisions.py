"""What editors decide about the machine's drafts; each decision outlives every re-analysis."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dateline.base.undecodable import REFUSAL, newly_unreadable
from dateline.newsroom.actions import log_action
from dateline.newsroom.html import as_meant
from dateline.newsroom.models import Article

from .base import BRIEF_MAX_CHARACTERS
from .models import Brief, Decision, RelatedStory, TagSuggestion
from .records import lock, next_pinned_rank
from .text import brief_basis


class NotPossible(ValueError):
    """A decision that cannot be taken (a story that is not published, say); says why."""


def _tell_partners(article: Article) -> None:
    """An editor's decision changed the story's item on the wire (its tags, its related
    stories) with no save of the story: a live one goes to partners again as a new version."""
    Article.objects.filter(pk=article.pk).send_again()


@transaction.atomic
def accept(suggestion: TagSuggestion, user) -> None:
    """The tag goes on the story."""
    _current(suggestion)
    suggestion.article.tags.add(suggestion.tag_id)
    _decide(suggestion, Decision.ACCEPTED, user)
    _tell_partners(suggestion.article)


@transaction.atomic
def reject(suggestion: TagSuggestion, user) -> None:
    """Not this tag (an applied or accepted one comes off the story): never suggested again."""
    _current(suggestion)
    suggestion.article.tags.remove(suggestion.tag_id)
    _decide(suggestion, Decision.REJECTED, user)
    _tell_partners(suggestion.article)


def _current(suggestion: TagSuggestion) -> None:
    """With the story locked: the suggestion is still there (an analysis may have withdrawn
    it since the page was shown)."""
    lock(suggestion.article)
    if not TagSuggestion.objects.filter(pk=suggestion.pk).exists():
        raise NotPossible(f"The machine no longer suggests “{suggestion.tag.name}”; add the "
                          "tag in Filing if it belongs.")


def _decide(suggestion: TagSuggestion, decision: str, user) -> None:
    suggestion.decision, suggestion.decided_by = decision, user
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])


@transaction.atomic
def pin(article: Article, related: Article, user) -> RelatedStory:
    """Keep `related` in the story's list, first (after those pinned before), for good."""
    if related.pk == article.pk:
        raise NotPossible("A story cannot be related to itself.")
    if not Article.objects.live().filter(pk=related.pk).exists():
        # By number: the headline of another's draft is not for everyone who may pin.
        raise NotPossible(f"Story {related.pk} is not published: readers could not open it.")
    lock(article)
    row, _ = RelatedStory.objects.get_or_create(article=article, related=related)
    if row.origin != RelatedStory.Origin.PINNED:
        row.rank = next_pinned_rank(article)
        row.origin, row.decided_by = RelatedStory.Origin.PINNED, user
        row.save()
        log_action(article, "related_pinned", user,
                   f"Pinned \u201c{related.headline}\u201d ({related.pk}) to the related stories.")
        _tell_partners(article)
    return row


@transaction.atomic
def remove(article: Article, related_id: int, user) -> None:
    """Out of the story's list, and kept out: the row stays, marked removed."""
    if related_id == article.pk:
        raise NotPossible("A story is never among its own related stories.")
    listed = RelatedStory.objects.filter(article=article, related_id=related_id).exists()
    # Only a story its list holds, or one readers could open: the panel then names it, and
    # another desk's draft is not for everyone who may edit this story to name.
    if not listed and not Article.objects.live().filter(pk=related_id).exists():
        raise NotPossible(f"Story {related_id} is not among this story's related stories.")
    lock(article)
    RelatedStory.objects.update_or_create(
        article=article, related_id=related_id,
        defaults={"origin": RelatedStory.Origin.REMOVED, "decided_by": user})
    log_action(article, "related_removed", user,
               f"Removed story {related_id} from the related stories.")
    _tell_partners(article)


@transaction.atomic
def let_back(article: Article, related_id: int) -> Article:
    """Undo a removal: the story may be ranked among the related ones again (the machine's
    next analysis, queued by the caller, decides). The removed story, for the message."""
    lock(article)
    removed = RelatedStory.objects.filter(article=article, related_id=related_id,
                                          origin=RelatedStory.Origin.REMOVED)
    row = removed.select_related("related").first()
    if row is None:
        raise NotPossible(f"Story {related_id} was not removed from this story's list.")
    removed.delete()
    return row.related


def edit_brief(article: Article, text: str, user, seen: str | None = None) -> Brief:
    """`seen`: the brief as the editor's page showed it. Changed since (a colleague's words,
    or the machine's new draft) and not what this editor wrote: refused once, naming what it
    says now, rather than replaced unseen."""
    # As a story's own text is kept: a NUL (which PostgreSQL refuses) or a bell printed in
    # News in Brief. Zero-width characters alone are no words either.
    text = " ".join(as_meant(text).split())
    if not any(character.isalnum() for character in text):
        raise NotPossible("A brief needs some words; to go back to the machine's, reset it.")
    kept = Brief.objects.filter(article=article).values_list("text", flat=True).first()
    if seen is not None and " ".join(seen.split()) != (kept or "") and text != (kept or ""):
        raise NotPossible(_changed_since(article))
    if newly_unreadable(text, kept):
        raise NotPossible(REFUSAL)
    words, limit = len(text.split()), settings.DATELINE_BRIEF_MAX_WORDS
    if words > limit:
        raise NotPossible(f"A brief is at most {limit} words; this one has {words}.")
    if len(text) > BRIEF_MAX_CHARACTERS:
        raise NotPossible(f"A brief is at most {BRIEF_MAX_CHARACTERS} characters; this one "
                          f"has {len(text)}.")
    brief = Brief.objects.filter(article=article).first() or Brief(article=article)
    brief.text, brief.edited_by, brief.edited_at = text, user, timezone.now()
    brief.written_from = brief_basis(article)
    with transaction.atomic():
        brief.save()
        # The words replaced are kept in the log: a brief is printed in News in Brief and
        # the edition, and a colleague's text written over must be found again.
        log_action(article, "brief_edited", user,
                   f"Brief: \u201c{text}\u201d (was \u201c{kept or ''}\u201d).")
    return brief


def _changed_since(article: Article) -> str:
    brief = Brief.objects.select_related("edited_by").filter(article=article).first()
    if brief is None:
        who, now = "", "it has none now"
    else:
        who = (f" by {brief.edited_by}, {timezone.localtime(brief.edited_at):%H:%M}"
               if brief.edited_by and brief.edited_at else " (the machine's new draft)")
        now = f"it now reads \u201c{brief.text}\u201d"
    return (f"The brief was changed since you opened the page{who}: {now}. Nothing was "
            "saved; your text is still in the box: save again to replace theirs with it.")


def reset_brief(article: Article) -> Brief | None:
    """Back to the machine's text, which then follows the story's changes again."""
    brief = Brief.objects.filter(article=article).first()
    if brief is not None:
        brief.text, brief.edited_by, brief.edited_at = brief.machine_text, None, None
        brief.written_from = ""
        brief.save()
    return brief
