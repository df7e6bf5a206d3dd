import asyncio

from django.conf import settings

from dateline.pagecache.board import GenerationBoard

from . import Broker


class LocalBroker(Broker):
    """Processes of one machine: the publisher rewrites a small memory-mapped file, and each
    streaming process looks at it every DATELINE_LIVE_LOCAL_POLL seconds (a memory read, not
    a query; the table is read only when the file changed)."""

    name = "local"

    def __init__(self) -> None:
        self.board = GenerationBoard(settings.DATELINE_LIVE_BOARD)

    def announce(self, event_id: int) -> None:
        self.board.write(f"{event_id:032d}")

    async def notifications(self):
        seen = self.board.read()
        while True:
            await asyncio.sleep(settings.DATELINE_LIVE_LOCAL_POLL)
            current = self.board.read()
            if current != seen:
                seen = current
                yield int(current) if current.isdigit() else None
