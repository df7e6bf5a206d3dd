"""granian's command lines for `dateline serve`, each setting with the measurement behind it
(README, "Production"; `make bench-connections`)."""

import contextlib
import errno
import fcntl
import os
import resource
import socket
import subprocess
import tempfile

from .supervisor import start_child

# granian's --backpressure caps the *connections* a worker holds, not the requests it runs: it
# takes a slot before accept() and keeps it until the connection closes. Measured (granian
# 2.8.9): with 8 slots, 8 idle keep-alive connections (or 8 slow-header ones) left the 9th
# reader waiting until granian dropped one 30 s later. A slot costs no thread, only a socket
# and a little memory (1,000 idle connections: about 20 MB): sized like a file limit.
CONNECTIONS_PER_WORKER = 10_000
# The same slot-per-connection rule on the stream: every open stream is one, and a descriptor.
# A worker takes at most this many, and never more than its open-file limit leaves after
# LIVE_SPARE_FILES for its own (database, broker, libraries): a full worker stops accepting and
# its siblings take the next readers, where one out of descriptors would fail accept() instead.
LIVE_STREAMS_PER_WORKER = 20_000
LIVE_SPARE_FILES = 500
# granian keeps a read buffer per connection that may grow to this (default 408 KB); an open
# stream sits mostly in its buffers: 29 KB of resident memory a stream with the default, 18.5
# with the smallest granian allows (`make bench-live`). The buffer bounds only the request head
# (a stream's request has no body); a browser's GET with its cookies is far below 8 KB, and a
# larger head is refused with 431, as nginx's default large_client_header_buffers would.
LIVE_HTTP1_BUFFER = 8192
# The pages' port: a desk editor's head with its cookies is a few KB; granian's default let a
# 400 KB head through, and 2,000 connections each holding an unfinished one took a worker from
# 240 MB to 1 GB, kept after they closed. With 32 KB, heads past about 40 KB are refused
# (431; nginx's default large_client_header_buffers take 32 KB), and bodies stream through
# it as before (2 MB in tests/ops/test_serve.py).
WEB_HTTP1_BUFFER = 32768
# granian drops a connection that has not sent a whole request head within this: a slow-header
# client (1 byte/s) and an idle keep-alive connection are released after 15 s rather than 30.
# Browsers send their headers in one packet; nginx's upstream keepalive_timeout is below it.
HEADER_TIMEOUT_MS = 15_000
# A request body is not read by granian before the app runs: a thread reads it as it comes, so
# a client sending its body at 1 byte/s holds a thread for as long as it likes (measured: 100
# such clients and 2 threads, every other reader waited; nginx in front buffers whole bodies
# and spares the app that). Threads waiting on a socket hold no GIL and cost little; this many
# per worker absorb that many slow bodies, and bulkhead.py still lets only DATELINE_THREADS
# requests run Django at once.
SLOW_BODY_THREADS = 128
# On SIGTERM a worker finishes its requests; one stuck longer than this is killed. So is one
# still starting when the SIGTERM came (granian 2.8 forks its workers, which keep the main
# process's handler until they set their own, and the signal is lost): a stop within a second
# or two of a (re)start takes this long. Sending SIGTERM again does not help: a second one
# reaching a worker that is finishing its requests stops it from ever ending (measured).
WORKER_KILL_TIMEOUT_S = 20


def raise_file_limit() -> None:
    """Every connection and stream holds a file descriptor: allow as many as the system lets."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_group(command: list[str]) -> subprocess.Popen:
    """Start granian leading a process group of its own, so that its workers can be stopped
    with it when it dies (killed, its workers go on serving the port with no one to replace
    them), and stopped when serve ends."""
    return start_child(command, own_group=True)


_claimed: dict[int, object] = {}


def claim_port(port: int) -> bool:
    """Hold `port` for this serve until it exits: False when another serve holds it.

    granian binds with SO_REUSEPORT, and the kernel lets a second granian of the same user bind
    the same port beside the first: two serves started together both found the port free and
    shared its readers, each request answered by either site (measured: 11 and 9 of 20). The
    lock file is the machine's, whatever the checkout; the kernel lets it go with the process,
    a killed one included."""
    if port in _claimed:
        return True
    path = os.path.join(tempfile.gettempdir(), f"dateline-port-{port}.lock")
    held = open(path, "a")  # noqa: SIM115 -- kept open, and locked, for the process's life
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        held.close()
        return False
    _claimed[port] = held
    return True


def cannot_listen(host: str, port: int) -> str | None:
    """Why nothing could listen on host:port, in words that say what to change, or None. Asked
    before any child starts: granian would say it as a Rust traceback, five times over, before
    serve gave up."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            # As granian's own sockets: a port left in TIME_WAIT by a stopped serve is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        if error.errno == errno.EADDRINUSE:
            return (f"{reason}: another program listens there (an earlier `make run` or "
                    "`dateline serve` still running?). Stop it, or choose another port")
        return f"{reason}. Choose another address (HOST) or port"
    return None


def common(granian: str, interface: str, host: str, port: int, workers: int) -> list[str]:
    return [
        granian, "--interface", interface, "--host", host, "--port", str(port),
        "--workers", str(workers), "--no-ws",
        "--http1-header-read-timeout", str(HEADER_TIMEOUT_MS),
        # A killed worker is replaced at once (measured: a new process within 0.2 s) while the
        # others keep answering. One dying again within 5.5 s of its respawn makes granian
        # exit, and `dateline serve` then restarts granian as a whole.
        "--respawn-failed-workers",
        "--workers-kill-timeout", str(WORKER_KILL_TIMEOUT_S),
    ]


def web_command(granian: str, host: str, port: int, workers: int, threads: int,
                slow_body_threads: int) -> list[str]:
    # The app's own threads learn their number from DATELINE_THREADS, and how many read
    # bodies from DATELINE_SLOW_BODY_THREADS (see bulkhead.py).
    os.environ["DATELINE_THREADS"] = str(threads)
    os.environ["DATELINE_SLOW_BODY_THREADS"] = str(slow_body_threads)
    return [
        *common(granian, "wsgi", host, port, workers),
        "--blocking-threads", str(threads + slow_body_threads),
        "--backpressure", str(CONNECTIONS_PER_WORKER),
        # HTTP/1.1 only, on the single-threaded runtime: no browser speaks HTTP/2 to a server
        # without TLS, and nginx speaks HTTP/1.1 to it; a worker's one runtime thread needs
        # no multi-threaded scheduler. A cached article: 27,697 req/s against 24,792 with
        # granian's defaults (two workers, wrk -c32, two runs each, on 2 cores; bench/README).
        "--http", "1", "--runtime-mode", "st",
        "--http1-buffer-size", str(WEB_HTTP1_BUFFER),
        "dateline.ops.serving.bulkhead:application",
    ]


def live_streams_per_worker() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    fitting = LIVE_STREAMS_PER_WORKER if soft == resource.RLIM_INFINITY else soft - LIVE_SPARE_FILES
    return max(1, min(LIVE_STREAMS_PER_WORKER, fitting))


def live_stream_command(granian: str, host: str, port: int, workers: int) -> list[str]:
    return [
        *common(granian, "asgi", host, port, workers),
        "--backpressure", os.environ.get("DATELINE_LIVE_MAX_STREAMS",
                                         str(live_streams_per_worker())),
        "--http1-buffer-size", str(LIVE_HTTP1_BUFFER),
        "dateline.live.asgi:application",
    ]
