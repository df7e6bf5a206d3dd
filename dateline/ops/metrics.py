"""Prometheus metrics: what the middleware records, and the text /metrics serves.

With several worker processes (`dateline serve --workers N`), each keeps its own counters, so
a scrape answered by one worker would see only its share. Setting PROMETHEUS_MULTIPROC_DIR to
an empty folder, the same for every worker and emptied before the server starts, makes
prometheus_client keep the values in files there and add them up on every scrape.
"""

import logging
import os
from collections.abc import Iterator

from django.db import DatabaseError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# prometheus_client picks its storage from this variable when first imported; so do we.
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ

LABELS = ("route", "method", "status")
REQUESTS = Counter(
    "dateline_http_requests", "HTTP requests answered by Django, by URL name.", LABELS
)
LATENCY = Histogram(
    "dateline_http_request_duration_seconds",
    "Time from the request reaching Django to its response leaving it.",
    LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def observe(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    labels = (route, method, str(status))
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(seconds)


class PublishedArticlesCollector(Collector):
    """Report how many articles readers can see, counted when scraped (one indexed query)."""

    NAME = "dateline_articles_published"
    HELP = "Articles readers can see now (published, not embargoed)."

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering asks for the names; without describe() it would query the database.
        yield GaugeMetricFamily(self.NAME, self.HELP)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from dateline.newsroom.models import Article

        try:
            count = Article.objects.live().count()
        except DatabaseError as error:
            # The request metrics are still worth having while the database is away.
            logger.warning("Cannot count published articles for /metrics: %s", error)
            return
        yield GaugeMetricFamily(self.NAME, self.HELP, value=count)


class BacklogCollector(Collector):
    """Report the background worker's backlog (backlog.py), read when scraped (one query)."""

    WAITING = ("dateline_tasks_waiting",
               "Tasks due and not started, the archive's bulk analysis left out.")
    WAITED = ("dateline_tasks_waited_seconds",
              "How long the longest-waiting of those tasks has waited since it fell due.")

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(*self.WAITING)
        yield GaugeMetricFamily(*self.WAITED)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.utils import timezone

        from .backlog import backlog

        try:
            behind = backlog()
        except DatabaseError as error:
            logger.warning("Cannot read the worker's backlog for /metrics: %s", error)
            return
        yield GaugeMetricFamily(*self.WAITING, value=behind.waiting)
        yield GaugeMetricFamily(*self.WAITED,
                                value=behind.waited(timezone.now()).total_seconds())


PUBLISHED = PublishedArticlesCollector()
BACKLOG = BacklogCollector()
if not MULTIPROCESS:
    REGISTRY.register(PUBLISHED)
    REGISTRY.register(BACKLOG)


def exposition() -> tuple[bytes, str]:
    """Return the current metrics in Prometheus' text format, and its content type."""
    if MULTIPROCESS:
        # A fresh registry per scrape, as prometheus_client's multiprocess mode requires.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(PUBLISHED)
        registry.register(BACKLOG)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
