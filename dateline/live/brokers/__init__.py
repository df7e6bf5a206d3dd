"""How a process that publishes wakes the processes that stream, one class per transport.

The event itself is always in the database (LiveEvent); a broker only says "look now". So a
lost notification delays an event by at most DATELINE_LIVE_SAFETY_POLL seconds and never
loses it. Choose with DATELINE_LIVE_BROKER:

- ``local``: processes of one machine share a memory-mapped file (the embedded default);
- ``postgresql``: LISTEN/NOTIFY on the production database, across machines;
- ``redis``: Redis pub/sub, across machines.
"""

from collections.abc import AsyncIterator
from functools import cache

from django.conf import settings

from dateline.base.plugins import PluginError, Registry

CHANNEL = "dateline_live"


class Broker:
    name = ""

    def announce(self, event_id: int) -> None:
        """Called after the commit that wrote the event, in the publishing process."""
        raise NotImplementedError

    def notifications(self) -> AsyncIterator[int | None]:
        """In a streaming process: yield each time new events may be in the table."""
        raise NotImplementedError


# More brokers by name in DATELINE_LIVE_BROKERS ({"name": "dotted.path.Class"}).
registry = Registry("live broker", Broker, setting="DATELINE_LIVE_BROKERS",
                    chosen_by="DATELINE_LIVE_BROKER", builtins={
    "local": "dateline.live.brokers.local.LocalBroker",
    "postgresql": "dateline.live.brokers.postgres.PostgresBroker",
    "redis": "dateline.live.brokers.redis.RedisBroker",
})


def get_broker(name: str | None = None) -> Broker:
    """The broker named by DATELINE_LIVE_BROKER (or `name`), one per process."""
    return _broker(name or settings.DATELINE_LIVE_BROKER)


@cache
def _broker(name: str) -> Broker:
    try:
        broker = registry.get(name)
    except PluginError as exc:
        raise PluginError(f"DATELINE_LIVE_BROKER={name!r}: {exc}") from exc
    return broker()
