"""Press reviews: "What foreign media write about …", an Article of kind press_review whose
entries each quote one outlet's item.

An entry's excerpt stays within the outlet's rights: none where its feed may not be quoted,
else at most EXCERPT_LIMIT characters of the item's summary, cut at a word. The editor's
summary of each entry is required before the review is published (a publication check).
"""

from django.db import transaction
from django.db.models import Max
from django.dispatch import receiver

from dateline.base.graphemes import clipped
from dateline.newsroom.actions import ActionRefused, log_action
from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article
from dateline.newsroom.signals import publication_checks, story_page_rendering

from .drafts import draft_section, outlet_link
from .models import Item, PressReviewEntry

EXCERPT_LIMIT = 300
DEFAULT_HEADLINE = "What foreign media write about {}"


def excerpt(item: Item, limit: int = EXCERPT_LIMIT) -> str:
    """A short quotation of the item, or nothing where the outlet may not be quoted."""
    if not item.feed.may_quote:
        return ""
    text = " ".join((item.summary or item.headline).split())
    if len(text) <= limit:
        return text
    cut = clipped(text, limit - 1)
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-—") + "…"


def entry_for(article: Article, item: Item, user, position: int) -> PressReviewEntry:
    return PressReviewEntry(
        article=article, item=item, outlet=item.outlet, headline=item.headline,
        link=outlet_link(item), excerpt=excerpt(item), summary="",
        language=item.language, position=position, added_by=user)


# A review out (or due out) holds to what its publication asked: entries, each summarised.
GONE_OUT = (Article.Status.PUBLISHED, Article.Status.SCHEDULED)


class ReviewOut(ActionRefused):
    """Items offered to a review that is published or scheduled."""


def add_items(article: Article, items: list[Item], user) -> int:
    """Add these items to a review (those already in it are skipped); returns how many. A
    review published or scheduled takes none: a new entry has no summary yet, and the live
    page showed it empty (the monitor offers draft reviews only; a crafted form did not)."""
    if article.status in GONE_OUT:
        raise ReviewOut(f"\u2018{article.headline}\u2019 is {article.get_status_display().lower()}"
                        ": it takes no new entries. Start a new review, or take this one back "
                        "to draft first.")
    with transaction.atomic():
        present = set(article.press_review_entries.values_list("item_id", flat=True))
        start = (article.press_review_entries.aggregate(m=Max("position"))["m"] or 0) + 1
        new = [item for item in items if item.pk not in present]
        PressReviewEntry.objects.bulk_create(
            entry_for(article, item, user, start + n) for n, item in enumerate(new))
        Item.objects.filter(pk__in=[item.pk for item in new]).update(used=True)
        article.sources.add(*{item.outlet_id for item in new})
    return len(new)


def start_review(items: list[Item], user, subject: str) -> Article:
    """A new draft press review holding these items."""
    with transaction.atomic():
        article = Article.objects.create(
            headline=DEFAULT_HEADLINE.format(subject)[:300], body="", section=draft_section(),
            status=Article.Status.DRAFT, kind=Article.Kind.PRESS_REVIEW, created_by=user)
        log_action(article, "create", user, note="Press review from the foreign-media monitor.",
                   previous="")
        add_items(article, items, user)
        record_revision(article, user)  # version 1 on record, as for a monitor's draft
    return article


@receiver(publication_checks, dispatch_uid="dateline.ingest.press_review_summaries")
def require_summaries(sender, article: Article, action: str, **kwargs) -> bool:
    """A press review goes out only with entries, each with the editor's summary. True for
    one that may: its entries are its text, whatever its body holds."""
    if article.kind != Article.Kind.PRESS_REVIEW:
        return False
    entries = list(article.press_review_entries.only("summary", "headline"))
    if not entries:
        raise ActionRefused("A press review needs at least one outlet's item.")
    missing = [entry.headline for entry in entries if not entry.summary.strip()]
    if missing:
        raise ActionRefused("Write your summary of each entry first; missing for: "
                            + "; ".join(missing[:5]) + ("…" if len(missing) > 5 else ""))
    return True


@receiver(story_page_rendering, dispatch_uid="dateline.ingest.press_review_page")
def entries_on_page(sender, article: Article, **kwargs) -> dict | None:
    """The entries of a press review, for its page on the site."""
    if article.kind != Article.Kind.PRESS_REVIEW:
        return None
    entries = list(article.press_review_entries.select_related("outlet", "item__feed"))
    for entry in entries:
        # An outlet the desk has since marked "may not quote": its words stay off the page,
        # whatever excerpt was kept from before (it was printed all the same).
        if entry.item_id and not entry.item.feed.may_quote:
            entry.excerpt = ""
    return {"press_review": entries}
