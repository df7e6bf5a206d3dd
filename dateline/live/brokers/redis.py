from functools import cached_property

from django.conf import settings

from . import CHANNEL, Broker


class RedisBroker(Broker):
    """Redis pub/sub: fire and forget, which is enough because the event is in the table."""

    name = "redis"

    @cached_property
    def client(self):
        import redis

        return redis.Redis.from_url(settings.DATELINE_LIVE_REDIS_URL)

    def announce(self, event_id: int) -> None:
        self.client.publish(CHANNEL, str(event_id))

    async def notifications(self):
        import redis.asyncio

        client = redis.asyncio.Redis.from_url(settings.DATELINE_LIVE_REDIS_URL)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        data = message["data"]
                        yield int(data) if data.isdigit() else None
        finally:
            await client.aclose()
