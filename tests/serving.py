"""The tests' own HTTP and TCP servers (outlets, subscribers, IMAP), each in a thread."""

import socketserver
import threading

# socketserver's serve_forever looks for shutdown() once every poll_interval, 0.5 s unless
# told: each test that stopped one of these servers waited up to half a second for it
# (measured: about 90 tests of a run took 0.5 s, most of it that wait).
POLL_S = 0.02


def serve_in_thread(server: socketserver.BaseServer) -> threading.Thread:
    """Serve until server.shutdown(), which then returns within POLL_S."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_S},
                              daemon=True)
    thread.start()
    return thread
