from django.db import connections

from . import CHANNEL, Broker


class PostgresBroker(Broker):
    """LISTEN/NOTIFY on the production database: every streaming process of every machine
    holds one listening connection."""

    name = "postgresql"

    def announce(self, event_id: int) -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(event_id)])

    async def notifications(self):
        import psycopg

        params = connections["default"].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            async for notice in conn.notifies():
                yield int(notice.payload) if notice.payload.isdigit() else None
