"""{% ad_slot %} reserves a slot's space in a page; {% ads_head %} brings its CSS and script.

A slot nothing can fill (no campaign, house ad or third-party tag placed in it: in_use.py)
renders nothing, so a site that sells no ads shows no empty boxes.

A slot's markup names only the slot, the page's section and tags: the same for every reader,
so the page cache keeps it, and the deferred script asks /ads/pick for the ad of this view.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from dateline.base.addresses import address, asset

from .. import choice
from ..in_use import slots_in_use
from ..slots import SLOTS

register = template.Library()
MOST_TAGS = 30  # what /ads/pick reads (views._MOST_TAGS)


@register.simple_tag
def ad_slot(name: str, section=None, tags=None) -> SafeString:
    """An empty, labelled box of the slot's size, or nothing where nothing can fill it;
    `tags` a list of tags or of their ids."""
    slot = SLOTS[name]  # a misspelt slot fails the template's render, not a reader's page
    if name not in slots_in_use():  # kept per process while the page cache's generation stands
        return SafeString("")
    tag_ids = [getattr(t, "pk", t) for t in list(tags or ())[:MOST_TAGS]]
    if not _may_fill(name, section, None if tags is None else tag_ids):
        return SafeString("")
    ids = ",".join(str(pk) for pk in tag_ids)
    return format_html(
        '<div class="ad-slot ad-slot-{}" data-ad-slot="{}"{}{}>'
        '<p class="ad-label">Advertisement</p><div class="ad-box"></div></div>',
        slot.name, slot.name,
        format_html(' data-ad-section="{}"', getattr(section, "pk", section)) if section else "",
        format_html(' data-ad-tags="{}"', ids) if ids else "",
    )


def _may_fill(name: str, section, tag_ids: list | None) -> bool:
    """Whether anything could fill the slot on this page: its third-party tag, or a campaign
    not ended that targets the whole site, the page's section (or one above it) or one of its
    tags (`None`: the page's tags not named here, which ads.js reads from the page, so any
    tag's campaign may). A campaign for Sport put empty "Advertisement" boxes on every other
    section's pages. From the campaigns' table each process keeps (choice.py): no query."""
    placed = choice.placement(name)
    if placed is not None and placed.third_party_tag:
        return True
    found = choice.table()
    path = getattr(section, "path", None)
    if path is None and section is not None:
        path = choice.section_path(found, getattr(section, "pk", section))
    ids = None if tag_ids is None else frozenset(pk for pk in tag_ids if isinstance(pk, int))
    # A campaign past its cap fills nothing more (/ads/pick says so): its box went on showing,
    # empty, on every page it targeted.
    return any(c.fits(name, path, c.tag_ids if ids is None else ids)
               and found.under_cap(c)
               for c in found.candidates)


@register.simple_tag
def ads_head() -> SafeString:
    """The slots' stylesheet and the deferred script that fills them."""
    return format_html(
        '<link rel="stylesheet" href="{}">\n<script src="{}" defer data-pick="{}"></script>',
        asset("ads/ads.css"), asset("ads/ads.js"), address("ads:pick"))
