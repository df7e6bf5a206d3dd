"""A hostile IMAP server: it says a message is small, then sends a gigabyte literal.

pymap is honest, so this one is written here: a few lines of real IMAP4rev1 over a real
loopback socket, each command answered from a script, the last answer a lie.
"""

import socketserver
import threading
import time

import pytest

from dateline.ingest.models import Item
from dateline.ingest.polling import poll
from tests.serving import serve_in_thread

HUGE = 1024 * 1024 * 1024


class LyingIMAP(socketserver.StreamRequestHandler):
    def handle(self):
        self.say("* OK IMAP4rev1 lying server ready")
        while line := self.rfile.readline(10_000):
            tag, _, command = line.decode().strip().partition(" ")
            verb = command.upper()
            if verb.startswith("CAPABILITY"):
                self.say("* CAPABILITY IMAP4rev1", f"{tag} OK done")
            elif verb.startswith(("LOGIN", "EXAMINE")):
                self.say("* 1 EXISTS", "* OK [UIDVALIDITY 7] UIDs valid",
                         f"{tag} OK [READ-ONLY] done")
            elif verb.startswith("UID SEARCH"):
                self.say("* SEARCH 5", f"{tag} OK done")
            elif "RFC822.SIZE" in verb:
                self.say("* 1 FETCH (UID 5 RFC822.SIZE 120)", f"{tag} OK done")
            elif "BODY.PEEK[]" in verb:
                self.send_message()
                return
            elif verb.startswith("LOGOUT"):
                self.say("* BYE", f"{tag} OK done")
                return
            else:
                self.say(f"{tag} BAD unknown")

    def send_message(self) -> None:
        self.say(f"* 1 FETCH (UID 5 BODY[] {{{HUGE}}}")
        self.wfile.write(b"x" * 65536)  # and more would follow, if it were read

    def say(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())


class DrippingIMAP(LyingIMAP):
    """Sends the message it announced a byte at a time, each in the read timeout."""

    def send_message(self) -> None:
        self.say("* 1 FETCH (UID 5 BODY[] {120}")
        sent = 0
        try:
            while sent < 120:
                self.wfile.write(b"x")
                self.wfile.flush()
                sent += 1
                time.sleep(0.1)
        except OSError:
            pass  # the client hung up
        self.server.sent = sent
        self.server.done.set()


def serve(handler):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    serve_in_thread(server)
    return server


@pytest.fixture
def lying_server():
    server = serve(LyingIMAP)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def dripping_server():
    server = serve(DrippingIMAP)
    server.done = threading.Event()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _plain_loopback(settings):
    settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN = True
    settings.DATELINE_INGEST_IMAP_PASSWORDS = {"wire@127.0.0.1": "pw"}


def test_a_literal_beyond_the_cap_is_refused_before_it_is_read(settings, lying_server,
                                                               make_feed):
    settings.DATELINE_INGEST_MAX_BYTES = 1024 * 1024
    port = lying_server.server_address[1]
    feed = make_feed(f"imap://wire@127.0.0.1:{port}/INBOX", service="imap")

    outcome = poll(feed)

    assert not outcome.ok
    assert outcome.error == ("The mail server failed the request (the server sent 1024 MB at "
                             "once, above the cap)")
    assert not Item.objects.exists()


def test_a_server_dripping_bytes_is_given_up_after_the_total_timeout(settings, dripping_server,
                                                                     make_feed):
    # Each byte comes well within the read timeout; the whole session still has its limit.
    settings.DATELINE_INGEST_TIMEOUT = 5
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 1
    port = dripping_server.server_address[1]
    feed = make_feed(f"imap://wire@127.0.0.1:{port}/INBOX", service="imap")

    outcome = poll(feed)

    assert outcome.error == ("The mail server failed the request (the mail server took longer "
                             "than 1 s in all)")
    # Cut off while the message dripped in (120 bytes would take 12 s), not after it.
    assert dripping_server.done.wait(30)
    assert dripping_server.sent < 60
