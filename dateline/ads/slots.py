"""The named slots of the public pages and the space each reserves.

Sizes live in code, not in the database: the page cache keeps the slots' markup, and a size
changed on the desk would leave every cached page with the old box (a layout shift). The CSS
in static/ads/ads.css reserves the same heights.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    name: str
    label: str
    width: int
    height: int


SLOTS = {
    s.name: s for s in (
        Slot("top", "Top banner", 728, 90),
        Slot("sidebar", "Sidebar", 300, 250),
        Slot("in-story", "In the story, after paragraph N", 300, 250),
        Slot("after-story", "Between the story and related articles", 728, 90),
        Slot("listing", "Between listing items", 728, 90),
        Slot("newsletter", "Newsletter", 600, 150),
    )
}
CHOICES = [(s.name, s.label) for s in SLOTS.values()]
