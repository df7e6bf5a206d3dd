"""Hold many open event streams and note when each event reaches each of them.

Run by `live.py`, one process per share of the clients:

    python live_clients.py PORT COUNT [SOURCE]

It connects COUNT readers to http://127.0.0.1:PORT/live/events (from the loopback address
SOURCE, e.g. 127.0.0.2, when given), prints one JSON line once
every reader has its response headers, then waits for one JSON line on stdin naming the
events to expect with their commit times, and prints the latencies it saw.

A reader is an asyncio Protocol on a raw socket rather than an HTTP client: ten thousand of
them must fit in one process on a machine whose two cores also run the server. asyncio
connects them and reads their headers; then, while events arrive, the process reads every
socket itself from one epoll set (`listen`), with nothing parsed but the "id:" lines: a read
through asyncio's loop and a protocol's callback cost 18 µs of the CPU the server shares
(904 ms an event at 50,000 readers), about as much as the server's own send.
"""

import asyncio
import json
import os
import resource
import select
import socket
import sys
import time

# How many readers may be between connect() and their headers at once: enough to connect
# thousands per second, few enough never to overflow the server's listen backlog.
CONNECTING_AT_ONCE = 200
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # Linux 4.2
# SSE ids are whole lines; JSON data is one line with no "id: " at its start.
ID_LINE = b"\nid: "


def event_ids(lines: bytes):
    """The ids of the "id: N" lines in lines (whole lines). bytes.find rather than a regular
    expression: a pattern that may start at any line costs its matcher a step per byte of the
    events' JSON, which was a fifth of the readers' CPU."""
    text = b"\n" + lines
    at = text.find(ID_LINE)
    while at >= 0:
        end = text.find(b"\n", at + len(ID_LINE))
        value = text[at + len(ID_LINE):end]
        if value.isdigit():
            yield int(value)
        at = text.find(ID_LINE, end)


class Reader(asyncio.Protocol):
    def __init__(self, request: bytes, connected: asyncio.Future) -> None:
        self.request = request
        self.connected = connected
        self.head = b""
        self.tail = b""  # an incomplete last line, kept for the next read
        self.received: dict[int, float] = {}
        self.lost = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if not self.connected.done():
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.head.split(b" ", 2)[1]
            if status != b"200":
                self.connected.set_exception(ConnectionError(f"HTTP {status.decode()}"))
                return
            self.connected.set_result(None)
            data, self.head = self.head[end + 4:], b""
        self.feed(data, now)

    def feed(self, data: bytes, now: float) -> None:
        text = self.tail + data
        cut = text.rfind(b"\n") + 1
        self.tail = text[cut:]
        for event_id in event_ids(text[:cut]):
            self.received.setdefault(event_id, now)

    def connection_lost(self, exc) -> None:
        self.lost = True
        if not self.connected.done():
            self.connected.set_exception(exc or ConnectionError("closed before the headers"))


def bound_socket(source: str) -> socket.socket:
    """A socket on the source address whose port is chosen at connect(), per destination: a
    plain bind() takes a port for good and searches the whole range for a free one, which
    at ten thousand readers made connecting twenty times slower."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
    sock.bind((source, 0))
    sock.setblocking(False)
    return sock


async def open_reader(loop, port: int, gate: asyncio.Semaphore, source: str | None) -> Reader:
    request = (f"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n").encode()
    async with gate:
        connected = loop.create_future()
        if source:
            sock = bound_socket(source)
            await loop.sock_connect(sock, ("127.0.0.1", port))
            _, reader = await loop.create_connection(
                lambda: Reader(request, connected), sock=sock)
        else:
            _, reader = await loop.create_connection(
                lambda: Reader(request, connected), "127.0.0.1", port)
        await connected
    return reader


def listen(readers: list[Reader]) -> dict:
    """Read every reader's socket from one epoll set, outside asyncio, until the order on
    stdin arrives and then until every reader has every event it names (or its timeout).

    Each read is stamped when it is made, after the ones before it in the same batch, as a
    protocol's callback was. The check of who is still waiting runs every 0.1 s and stays
    cheap (a length before a set comparison), not to hold back the readers it waits for."""
    poll, by_fd = select.epoll(), {}
    for reader in readers:
        if reader.lost:
            continue
        reader.transport.pause_reading()  # asyncio's loop no longer reads it: we do
        fd = reader.transport.get_extra_info("socket").fileno()
        by_fd[fd] = reader
        poll.register(fd, select.EPOLLIN)
    stdin = sys.stdin.fileno()
    poll.register(stdin, select.EPOLLIN)
    line, order, waiting, deadline, checked, ids = b"", None, readers, 0.0, 0.0, set()
    while order is None or (waiting and time.monotonic() < deadline):
        for fd, _ in poll.poll(0.1):
            if fd == stdin:
                chunk = os.read(stdin, 65536)
                if not chunk:
                    raise SystemExit("stdin closed before the events to expect were named")
                line += chunk
                if line.endswith(b"\n"):
                    order = json.loads(line)
                    ids = {int(k) for k in order["expected"]}
                    deadline = time.monotonic() + order["timeout"]
                    poll.unregister(stdin)
                continue
            reader = by_fd[fd]
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                reader.feed(data, time.time())
            else:
                reader.lost = True
                poll.unregister(fd)
        if order is not None and time.monotonic() - checked >= 0.1:
            checked = time.monotonic()
            waiting = [r for r in waiting if not r.lost and (
                len(r.received) < len(ids) or not ids <= r.received.keys())]
    poll.close()
    return order


async def main(port: int, count: int, source: str | None) -> None:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    started = time.monotonic()
    readers = await asyncio.gather(*(open_reader(loop, port, gate, source) for _ in range(count)))
    print(json.dumps({"connected": count, "seconds": time.monotonic() - started}), flush=True)

    order = listen(readers)
    expected = {int(k): v for k, v in order["expected"].items()}
    latencies, missing = [], 0
    for reader in readers:
        for event_id, committed in expected.items():
            if event_id in reader.received:
                latencies.append(round(reader.received[event_id] - committed, 5))
            else:
                missing += 1
    print(json.dumps({"latencies": latencies, "missing": missing,
                      "lost": sum(r.lost for r in readers)}), flush=True)


if __name__ == "__main__":
    # Every reader is a file descriptor: take all the process may have.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), (sys.argv[3:] or [None])[0]))
