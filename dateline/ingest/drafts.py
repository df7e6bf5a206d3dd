"""An outlet's item, or a whole cluster, turned into a draft of ours.

The draft quotes each item's summary with a link to the outlet and names the outlets under
"Sources:"; an outlet's full text is carried only where its feed says we may republish it.
The headline is the item's (the cluster's first) and the editor rewrites it in the editor.
"""

import nh3
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dateline.newsroom.actions import log_action
from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.html import BODY_ATTRIBUTES, BODY_TAGS, LINK_REL, URL_SCHEMES
from dateline.newsroom.models import Article, AuditEntry, Section

from .models import Item

# The audit log's note on a draft the monitor made (section_notice reads it back).
DRAFTED_FROM = "Drafted from"


class NoSection(Exception):
    """The newsroom has no section yet, and every story belongs to one."""


def draft_section() -> Section:
    """DATELINE_INGEST_DRAFT_SECTION (a top-level slug) if set, else the first section."""
    slug = getattr(settings, "DATELINE_INGEST_DRAFT_SECTION", "")
    sections = Section.objects.order_by("parent_id", "position", "pk")
    section = (slug and sections.filter(slug=slug, parent=None).first()) or sections.first()
    if section is None:
        raise NoSection("Create a section first: every story belongs to one.")
    return section


def outlet_link(item: Item) -> str:
    """The item's link, if it is a web address: a feed's `javascript:` never becomes a link."""
    link = item.link or item.canonical_url
    return link if link.lower().startswith(("https://", "http://")) else ""


def without_pictures(body: str) -> str:
    """The outlet's text without its pictures: each stays on the outlet's server, so every
    reader's browser would ask it for them (a 1-pixel one counts them: a tracker), and the
    rights to republish words are not those to a photo. The desk adds its own photos."""
    return nh3.clean(body, tags=BODY_TAGS - {"img"}, attributes=BODY_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel=LINK_REL, strip_comments=True)


def quoted(item: Item) -> SafeString:
    """The item as our draft carries it: its summary in a blockquote and a link, or its whole
    text where the outlet allows republication."""
    link = outlet_link(item)
    parts = []
    if item.feed.may_republish and item.body:
        # Sanitised when stored, and again when the article is saved.
        parts.append(format_html('<blockquote cite="{}">{}</blockquote>', link,
                                 mark_safe(without_pictures(item.body))))
    elif item.summary:
        parts.append(format_html('<blockquote cite="{}"><p>{}</p></blockquote>',
                                 link, item.summary))
    if link:
        parts.append(format_html('<p>{}: <a href="{}">{}</a></p>',
                                 item.outlet.name, link, item.headline))
    else:
        parts.append(format_html("<p>{}: {}</p>", item.outlet.name, item.headline))
    return mark_safe("".join(parts))  # each part built by format_html


class DraftedAlready(Exception):
    """A colleague drafted one of the items in the same moment."""


def make_draft(items: list[Item], user, again: bool = False) -> Article:
    """A draft (kind story) from these items, created by `user`; the items are marked used.
    Unless `again`, an item another draft took since it was read raises DraftedAlready: the
    items are claimed in one statement, so two editors pressing at once make one draft (two
    drafts of one item, neither editor told, came of checking first and marking after)."""
    if not items:
        raise ValueError("A draft needs at least one item.")
    first = items[0]
    with transaction.atomic():
        pks = [item.pk for item in items]
        claimed = Item.objects.filter(pk__in=pks, used=False).update(used=True)
        if claimed < len(set(pks)) and not again:
            raise DraftedAlready
        article = Article.objects.create(
            headline=first.headline[:300], standfirst="",
            body=format_html_join("", "{}", ((quoted(item),) for item in items)),
            section=draft_section(), status=Article.Status.DRAFT, kind=Article.Kind.STORY,
            created_by=user, original_url=outlet_link(first)[:500])
        article.sources.set({item.outlet_id for item in items})
        log_action(article, "create", user, note=f"{DRAFTED_FROM} {len(items)} ingested item(s).",
                   previous="")
        # Version 1 on record, as a story written on the desk has it: two editors' saves of
        # the draft are then merged field by field (conflict.py), not guessed at.
        record_revision(article, user)
    return article


def section_notice(request: HttpRequest, article: Article) -> str | None:
    """Beside the workflow buttons of a draft the monitor made, until someone saves it: its
    section is the desk's default for drafts, not the outlet's, said only once in a message
    at the draft's making, and a tennis story went out under Business unseen."""
    if article.pk is None or article.version != 1 or article.is_live:
        return None
    if not AuditEntry.objects.filter(article=article, action="create",
                                     note__startswith=DRAFTED_FROM).exists():
        return None
    return format_html(
        "<strong>Section?</strong> The monitor filed this draft under {}, the desk's default "
        "for drafts: choose the story's own section before publishing.",
        article.section.display_path)
