"""A story already on the wire put under embargo: partners who took it are told to hold it.

The embargo moves the story's place on the changes feed to its end, when it comes out again
(Article.reaches_the_wire); until then the feed said nothing, and a partner that had taken it
ran it through the embargo. The embargo now leaves a WithheldStory, which the changes feed
serves as a "withheld" item (IPTC's pubStatus for content that may not be used until further
notice), a new version of the item partners hold; the story comes out again one version above
it, so that it is taken again. A story not yet out owes partners nothing.
"""

from datetime import timedelta

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from dateline.newsroom.models import Article, AuditEntry
from dateline.newsroom.models.article import restamp_if_late

from .api import params
from .models import WithheldStory

EMBARGO, EMBARGO_ENDS = "embargo", "embargo_lifted"


@receiver(post_save, sender=AuditEntry, dispatch_uid="syndication.withholding")
def embargo_moved(sender, instance: AuditEntry, created: bool, raw: bool = False,
                  **kwargs) -> None:
    # In the move's transaction (its audit entry is written there): rolled back with it.
    if raw or not created or instance.action not in (EMBARGO, EMBARGO_ENDS):
        return
    stories = Article.objects.filter(pk=instance.article_id)
    if instance.action == EMBARGO_ENDS:
        # The version it comes out at is above the withheld one since the embargo began
        # (below); a withholding recorded before that rule gets it now.
        told = (WithheldStory.objects.filter(article_id=instance.article_id)
                .values_list("version", flat=True).first())
        story = stories.first()
        if told is not None and story is not None and story.wire_version <= told:
            stories.new_wire_version()
        return
    now = timezone.now()
    story = stories.first()
    was_out = (instance.from_status == Article.Status.PUBLISHED and story is not None
               and story.published_at is not None and story.published_at <= now)
    if not was_out or story.is_live:
        return
    stories.new_wire_version()
    story.refresh_from_db(fields=["version", "resent"])
    WithheldStory.objects.filter(
        wire_changed_at__lt=now - timedelta(days=params.CHANGES_KEPT_DAYS)).delete()
    WithheldStory.objects.update_or_create(
        article_id=story.pk, defaults={"version": story.wire_version, "wire_changed_at": now})
    restamp_if_late(WithheldStory.objects.filter(article_id=story.pk), now)
    # And the version it comes out again at, one above: time ends an embargo, and the changes
    # feed served the story "usable" at the withheld item's own version until the worker's
    # task recorded the end (a partner that takes an item again only when its version grows
    # kept the story on hold).
    stories.new_wire_version()
