"""Arranging an edition on the desk: the board of story cards, and the save of a whole order.

The desk's script sends the order of every card at once (the lead, each section's slots, News
in Brief) with the version of the arrangement it was drawn from. The version is a digest of
the items' places, so any change since (another editor's drag, the table form, a rebuild)
refuses the save instead of silently undoing it.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from dateline.newsroom.desk.seen import digests
from dateline.newsroom.models import Article, Section
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit

from .assembly import root_of
from .models import Edition, EditionItem

Column = EditionItem.Column
# The table's editable columns (admin.EditionItemInline), whose digests a row's form carries.
ROW_FIELDS = ("column", "position", "pinned", "left_out")
MORE_NEWS = "More news"  # the page's heading for section stories that have no main section


class Refused(Exception):
    """A save that changes nothing; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Group:
    column: str
    section: Section | None
    label: str
    items: list[EditionItem]

    @property
    def key(self) -> str:
        return f"{self.column}-{self.section.pk if self.section else ''}".rstrip("-")


def version(edition: Edition) -> str:
    places = edition.items.order_by("pk").values_list(
        "pk", "column", "section_id", "position", "pinned", "left_out")
    return hashlib.sha256(repr(list(places)).encode()).hexdigest()[:16]


def board(edition: Edition) -> list[Group]:
    """The slots as the page shows them: the lead, every main section, News in Brief."""
    items = list(edition.items.filter(left_out=False)
                 .select_related("article", "article__section", "section")
                 .order_by("position", "pk"))
    sections = [Group(Column.SECTION, s, s.name, []) for s in Section.objects.roots()]
    by_section = {group.section.pk: group for group in sections}
    lead = Group(Column.LEAD, None, Column.LEAD.label, [])
    brief = Group(Column.BRIEF, None, Column.BRIEF.label, [])
    more = Group(Column.SECTION, None, MORE_NEWS, [])
    for item in items:
        if item.column == Column.SECTION:
            by_section.get(item.section_id, more).items.append(item)
        else:
            (lead if item.column == Column.LEAD else brief).items.append(item)
    return [lead, *sections, *([more] if more.items else []), brief]


def parse(payload) -> tuple[str, list[tuple[str, int | None, list[int]]]]:
    """The posted version and [(column, section pk, [item pks])], or Refused (400)."""
    try:
        sent = payload["version"]
        groups = [(g["column"], g.get("section"), list(g["items"])) for g in payload["groups"]]
    except (KeyError, TypeError, AttributeError):
        raise Refused(400, "The arrangement could not be read: reload the page.") from None
    for column, section, pks in groups:
        if (column not in Column.values or not all(type(pk) is int for pk in pks)
                or not (section is None or type(section) is int)):
            raise Refused(400, "The arrangement could not be read: reload the page.")
    return str(sent), groups


@transaction.atomic
def save(edition_pk: int, payload) -> Edition:
    """Put every shown item where `payload` says, numbering positions in its order."""
    sent, groups = parse(payload)
    edition = Edition.objects.select_for_update().get(pk=edition_pk)
    if edition.status != Edition.Status.DRAFT:
        raise Refused(409, "This edition has been sent (or is being sent): its order stays "
                           "as subscribers received it.")
    if sent != version(edition):
        raise Refused(409, "Someone else changed this edition's order since you opened it: "
                           "your move was not saved. The page shows their order now.")
    items = {item.pk: item for item in edition.items.filter(left_out=False)
             .select_related("article__section")}
    pks = [pk for _, _, group in groups for pk in group]
    if len(pks) != len(set(pks)):
        raise Refused(400, "A story appears twice in the order sent: reload the page.")
    if set(pks) - set(items):
        raise Refused(400, "The order sent holds a story that is not in this edition.")
    if set(items) - set(pks):
        raise Refused(400, "The order sent leaves out stories of this edition: reload the "
                           "page (to take a story out, tick “left out” in the table).")
    if sum(len(group) for column, _, group in groups if column == Column.LEAD) > 1:
        raise Refused(400, "An edition has one lead story: move the lead elsewhere first.")
    roots = {s.pk: s for s in Section.objects.roots()}
    by_path = {s.path: s for s in roots.values()}
    if any(col == Column.SECTION and sec is not None and sec not in roots
           for col, sec, _ in groups):
        raise Refused(400, "The order sent names a section that is not a main section.")
    position = 0
    for column, section, group in groups:
        for pk in group:
            position += 1
            item = items[pk]
            item.column, item.position = column, position
            # A section slot runs the story under that section; the lead and the briefs
            # keep the story's own main section, as a build would give it.
            item.section = (roots.get(section) if column == Column.SECTION
                            else root_of(item.article.section, by_path))
    EditionItem.objects.bulk_update(items.values(), ["column", "position", "section"])
    # bulk_update sends no post_save, so the page and PDF cache is told here (signals.py).
    invalidate_on_commit({keys.edition(edition.pk)})
    return edition


@transaction.atomic
def add_story(edition_pk: int, article: Article, column: str) -> EditionItem:
    """Put a story the build did not choose (an older one, one left out) at the end of a slot,
    pinned, so that a rebuild keeps it there."""
    edition = Edition.objects.select_for_update().get(pk=edition_pk)
    if edition.status != Edition.Status.DRAFT:
        raise Refused(409, "This edition has been sent (or is being sent): nothing can be "
                           "added to it.")
    if column not in Column.values:
        raise Refused(400, "Choose the slot the story goes in.")
    if not article.is_live:
        # By number: a draft's headline is not for everyone who arranges editions.
        raise Refused(400, f"Story {article.pk} is not published: only a story readers can "
                           "open goes in the edition.")
    item = edition.items.filter(article=article).first()
    if item is not None and not item.left_out:
        raise Refused(400, f"“{article.headline}” is in this edition already: move it "
                           "where you want it.")
    if column == Column.LEAD and edition.items.filter(column=Column.LEAD,
                                                      left_out=False).exists():
        raise Refused(400, "An edition has one lead story: move the lead elsewhere first.")
    roots = {s.path: s for s in Section.objects.roots()}
    last = edition.items.aggregate(last=Max("position"))["last"] or 0
    item = item or EditionItem(edition=edition, article=article)
    item.column, item.position, item.pinned, item.left_out = column, last + 1, True, False
    item.section = root_of(article.section, roots)
    item.save()
    invalidate_on_commit({keys.edition(edition.pk)})
    return item


def places(edition: Edition) -> dict:
    """What the page needs after a save: the new version and each item's column and place,
    and its table row's digests of them (newsroom.desk.seen): a table save after a move is
    then a save over what the table now shows, not a colleague's change to refuse."""
    items = {}
    for pk, *values in edition.items.values_list("pk", *ROW_FIELDS):
        row = dict(zip(ROW_FIELDS, values, strict=True))
        items[str(pk)] = {"column": row["column"], "position": row["position"],
                          "seen": digests(row)}
    return {"version": version(edition), "items": items}
