from functools import cached_property

from django.conf import settings

from . import CHANNEL, Broker

# An announcement runs after the commit of an editor's publication, in the desk's request: a
# Redis that stopped answering held it 5 s (redis-py 8's default) before the editor saw the
# page. One try of a second; the streams find the event by polling anyway.
ANNOUNCE_TIMEOUT_S = 1


class RedisBroker(Broker):
    """Redis pub/sub: fire and forget, which is enough because the event is in the table."""

    name = "redis"

    @cached_property
    def client(self):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis.from_url(settings.DATELINE_LIVE_REDIS_URL,
                                    socket_connect_timeout=ANNOUNCE_TIMEOUT_S,
                                    socket_timeout=ANNOUNCE_TIMEOUT_S,
                                    retry=Retry(NoBackoff(), retries=0))

    def announce(self, event_id: int) -> None:
        self.client.publish(CHANNEL, str(event_id))

    async def notifications(self):
        import redis.asyncio

        # No read timeout here: a quiet channel is no failure. A connection that cannot be
        # made fails within the timeout, and the hub tries again (dateline.live.hub).
        client = redis.asyncio.Redis.from_url(settings.DATELINE_LIVE_REDIS_URL,
                                              socket_connect_timeout=ANNOUNCE_TIMEOUT_S)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        data = message["data"]
                        yield int(data) if data.isdigit() else None
        finally:
            await client.aclose()
