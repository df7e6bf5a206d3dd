"""Where a section, tag or author page was before its address changed (a slug renamed, a
section moved under another): that address, and every one below it (feeds, pages, the
sections under a section), sends readers, crawlers and feed readers on to where it is now."""

from django.apps import apps
from django.db import models

# The models whose public pages can move, by the name stored with each old address.
MOVABLE = {"section": "newsroom.Section", "tag": "newsroom.Tag", "author": "newsroom.Author"}


class FormerAddress(models.Model):
    old_url = models.CharField(max_length=700, unique=True)
    kind = models.CharField(max_length=20, choices=[(k, k) for k in MOVABLE])
    target_id = models.PositiveBigIntegerField()
    moved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "former addresses"

    def __str__(self) -> str:
        return self.old_url


def remember_move(kind: str, old_url: str, new_url: str, target_id: int) -> None:
    """Within the transaction of the change: `old_url` now leads to the object."""
    if old_url == new_url:
        return
    FormerAddress.objects.filter(old_url=new_url).delete()  # moved back: it is live again
    FormerAddress.objects.update_or_create(old_url=old_url,
                                           defaults={"kind": kind, "target_id": target_id})


def current_url(path: str) -> str | None:
    """Where an address that names no page now points, if a page once had it or one above it:
    the longest old address it starts with, then what followed (a feed, a subsection)."""
    # A control character (a NUL, which PostgreSQL refuses in text) is in no page's address.
    if not path.startswith("/") or len(path) > 700 or any(c < " " for c in path):
        return None
    prefixes = [path[: i + 1] for i, c in enumerate(path) if c == "/" and i > 0]
    if not path.endswith("/"):
        prefixes.append(path + "/")
    found = FormerAddress.objects.filter(old_url__in=prefixes).values_list(
        "old_url", "kind", "target_id")
    for old_url, kind, target_id in sorted(found, key=lambda row: -len(row[0])):
        target = apps.get_model(MOVABLE[kind]).objects.filter(pk=target_id).first()
        if target is not None:
            rest = path[len(old_url):] if path.startswith(old_url) else ""
            return target.get_absolute_url() + rest
    return None
