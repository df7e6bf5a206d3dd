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
from django.core.exceptions import ImproperlyConfigured

CHANNEL = "dateline_live"
registry: dict[str, type["Broker"]] = {}


class Broker:
    name = ""

    def announce(self, event_id: int) -> None:
        """Called after the commit that wrote the event, in the publishing process."""
        raise NotImplementedError

    def notifications(self) -> AsyncIterator[int | None]:
        """In a streaming process: yield each time new events may be in the table."""
        raise NotImplementedError


def register(cls: type[Broker]) -> type[Broker]:
    registry[cls.name] = cls
    return cls


@cache
def get_broker(name: str | None = None) -> Broker:
    from . import local, postgres, redis  # noqa: F401  (register the built-in brokers)

    name = name or settings.DATELINE_LIVE_BROKER
    try:
        return registry[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"DATELINE_LIVE_BROKER={name!r}; choose one of {', '.join(sorted(registry))}"
        ) from None
