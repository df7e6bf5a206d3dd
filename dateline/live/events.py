"""Turn newsroom changes into live events, inside the transaction that makes them.

An event row is written in the same transaction as the change, so a rolled-back save
announces nothing and a committed one is never missed by a reader who reconnects. The
broker is told after the commit; if that fails, the streams' periodic look at the table
still finds the event within DATELINE_LIVE_SAFETY_POLL seconds.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from dateline.base.cachefailure import log_failure
from dateline.newsroom.datelines import house_dateline
from dateline.newsroom.models import Article, AuditEntry
from dateline.newsroom.signals import public_story_changed
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit

from .brokers import get_broker
from .models import LiveEntry, LiveEvent

logger = logging.getLogger(__name__)
Kind = LiveEvent.Kind

WATCHED = ("status", "published_at", "embargo_until", "is_breaking", "headline", "standfirst",
           "body", "updated_at", "section_id", "slug", "is_live_coverage")
CONTENT = ("headline", "standfirst", "body", "updated_at", "section_id", "slug",
           "is_live_coverage")
# Any fixed number: the advisory lock that keeps event ids in commit order on PostgreSQL.
EVENT_LOCK = 0x4C495645


def record(kind: str, payload: dict, article_id: int | None = None) -> LiveEvent:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Ids come from a sequence at insert time; without this, a transaction that took
            # id 10 could commit after one that took 11, and a stream that had moved past 11
            # would never send 10. Held to the commit; events are few, so waiting is short.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_LOCK])
        event = LiveEvent.objects.create(kind=kind, payload=payload, article_id=article_id)
        transaction.on_commit(lambda: announce(event.pk))
        # Other faces (syndication's WebSub hub) hear of it here, inside the transaction.
        public_story_changed.send(sender=LiveEvent, kind=kind, article_id=article_id)
    if event.pk % 500 == 0:
        prune()
    return event


def withdraw(article_id: int) -> None:
    """A story taken down (killed or deleted) leaves the events kept for replay: a reader
    asking from an old Last-Event-ID was sent its headline, teaser and entries for a week
    after a legal kill. Readers with it open hear that it went (the event recorded next)."""
    LiveEvent.objects.filter(article_id=article_id).delete()


def announce(event_id: int) -> None:
    try:
        get_broker().announce(event_id)
    except Exception:
        # Redis not answering in one line (a 60-line traceback a publication before).
        log_failure(logger, "live broker unavailable; streams will find event %s by polling",
                    event_id, when_away=logging.WARNING)


def prune() -> None:
    cutoff = timezone.now() - timedelta(days=settings.DATELINE_LIVE_RETENTION_DAYS)
    LiveEvent.objects.filter(created_at__lt=cutoff).delete()


def local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def story_payload(article: Article) -> dict:
    section = article.section
    return {
        "id": article.pk,
        "headline": article.headline,
        "url": article.get_absolute_url(),
        "section": section.display_path,
        "teaser": article.teaser,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "updated_at": article.updated_at.isoformat() if article.updated_at else None,
        "time": local_time(article.published_at),
        "dateline": house_dateline(article.published_at) if article.published_at else "",
        "breaking": article.is_breaking,
        "live_coverage": article.is_live_coverage,
    }


def entry_payload(entry: LiveEntry) -> dict:
    return {
        "article": entry.article_id,
        "entry": entry.pk,
        "html": entry.body,
        "created_at": entry.created_at.isoformat(),
        "time": local_time(entry.created_at),
        "author": entry.byline,
    }


def ticker_stories(live):
    """The "Latest" ticker's stories, newest first: an undated archive's imports carry the
    moment of their import, and led the ticker of every page as today's news."""
    return live.filter(published_at_is_import_time=False).newest_first()


def breaking_since():
    """The earliest publication a story may have and still be breaking news now."""
    return timezone.now() - timedelta(hours=settings.DATELINE_BREAKING_HOURS)


def breaking_stories(now, since):
    """The stories the banner may show, newest first: the strip's and the stream's one rule."""
    return Article.objects.live(now).filter(is_breaking=True,
                                            published_at__gte=since).newest_first()


def was_visible(before: dict, now) -> bool:
    return (
        before["status"] == Article.Status.PUBLISHED
        and before["published_at"] is not None and before["published_at"] <= now
        and (before["embargo_until"] is None or before["embargo_until"] <= now)
    )


def change_kind(before: dict | None, article: Article) -> str | None:
    """What a reader with a page open should hear about this save, if anything."""
    visible_before = before is not None and was_visible(before, timezone.now())
    if not article.is_live:
        return Kind.UNPUBLISHED if visible_before else None
    # Breaking for as long as the banner shows it (live.templatetags.live.breaking_story):
    # a story of last year marked breaking is an update, not news on top of the ticker.
    breaking = article.is_breaking and article.published_at >= breaking_since()
    if not visible_before:
        return Kind.BREAKING if breaking else Kind.PUBLISHED
    if breaking and not before["is_breaking"]:
        return Kind.BREAKING
    changed = before["is_breaking"] != article.is_breaking or any(
        before[field] != getattr(article, field) for field in CONTENT
    )
    return Kind.UPDATED if changed else None


@receiver(pre_save, sender=Article)
def remember_state(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    instance._live_before = (
        None if raw or instance.pk is None
        else Article.objects.filter(pk=instance.pk).values(*WATCHED).first()
    )


@receiver(post_save, sender=Article)
def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_live_before", None)
    kind = change_kind(before, instance)
    if kind is None:
        return
    was_breaking = bool(before and before["is_breaking"])
    if kind == Kind.UNPUBLISHED:
        withdraw(instance.pk)
        record(kind, {"id": instance.pk}, instance.pk)
    else:
        payload = story_payload(instance)
        if kind == Kind.UPDATED and was_breaking and not instance.is_breaking:
            # Open pages then hear which story, if any, the banner shows now (hub.takes_away).
            payload["unbroken"] = True
        record(kind, payload, instance.pk)
    invalidate_on_commit(strip_keys(was_breaking or instance.is_breaking))


def strip_keys(breaking_involved: bool) -> set[str]:
    """The live strip's list changes with every such event; its banner only with these."""
    return {keys.TICKER, keys.BREAKING} if breaking_involved else {keys.TICKER}


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance: Article, **kwargs) -> None:
    withdraw(instance.pk)
    if instance.is_live:
        record(Kind.UNPUBLISHED, {"id": instance.pk}, instance.pk)
        invalidate_on_commit(strip_keys(instance.is_breaking))


@receiver(post_save, sender=AuditEntry)
def embargo_ended(sender, instance: AuditEntry, created: bool, raw: bool = False,
                  **kwargs) -> None:
    # The end of an embargo changes no field (time passed); the audit entry the worker
    # writes in that transaction is the moment to announce it.
    if raw or not created or instance.action != "embargo_lifted":
        return
    article = Article.objects.select_related("section").filter(pk=instance.article_id).first()
    if article is not None and article.is_live:
        kind = Kind.BREAKING if article.is_breaking else Kind.PUBLISHED
        record(kind, story_payload(article), article.pk)
        invalidate_on_commit(strip_keys(article.is_breaking))


@receiver(post_save, sender=LiveEntry)
def entry_saved(sender, instance: LiveEntry, raw: bool = False, **kwargs) -> None:
    # Entries of a story readers cannot see yet go out with it, on its page.
    if raw:
        return
    invalidate_on_commit({keys.article(instance.article_id)})
    if Article.objects.live().filter(pk=instance.article_id).exists():
        record(Kind.ENTRY, entry_payload(instance), instance.article_id)


@receiver(post_delete, sender=LiveEntry)
def entry_deleted(sender, instance: LiveEntry, **kwargs) -> None:
    invalidate_on_commit({keys.article(instance.article_id)})
    LiveEvent.objects.filter(article_id=instance.article_id, kind=Kind.ENTRY,
                             payload__entry=instance.pk).delete()
    if Article.objects.live().filter(pk=instance.article_id).exists():
        record(Kind.ENTRY_REMOVED, {"article": instance.article_id, "entry": instance.pk},
               instance.article_id)
