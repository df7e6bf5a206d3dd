"""A hostile IMAP server: it says a message is small, then sends a gigabyte literal.

pymap is honest, so this one is written here: a few lines of real IMAP4rev1 over a real
loopback socket, each command answered from a script, the last answer a lie.
"""

import socketserver
import threading

import pytest

from dateline.ingest.models import Item
from dateline.ingest.polling import poll

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
                self.say(f"* 1 FETCH (UID 5 BODY[] {{{HUGE}}}")
                self.wfile.write(b"x" * 65536)  # and more would follow, if it were read
                return
            elif verb.startswith("LOGOUT"):
                self.say("* BYE", f"{tag} OK done")
                return
            else:
                self.say(f"{tag} BAD unknown")

    def say(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())


@pytest.fixture
def lying_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), LyingIMAP)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_literal_beyond_the_cap_is_refused_before_it_is_read(settings, lying_server,
                                                               make_feed):
    settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN = True
    settings.DATELINE_INGEST_IMAP_PASSWORDS = {"wire@127.0.0.1": "pw"}
    settings.DATELINE_INGEST_MAX_BYTES = 1024 * 1024
    port = lying_server.server_address[1]
    feed = make_feed(f"imap://wire@127.0.0.1:{port}/INBOX", service="imap")

    outcome = poll(feed)

    assert not outcome.ok
    assert outcome.error == ("The mail server failed the request (the server sent 1024 MB at "
                             "once, above the cap)")
    assert not Item.objects.exists()
