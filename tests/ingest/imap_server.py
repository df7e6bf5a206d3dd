"""A real IMAP server on loopback for the imap service's tests: pymap's in-memory backend.

pymap (a test dependency) runs as a child process speaking IMAP4rev1 over a real socket;
tests put messages in with APPEND, as a mail server's delivery would, and read flags back
with FETCH, through the standard library's client: nothing of imaplib is mocked.
"""

import imaplib
import socket
import subprocess
import sys
import tempfile
import time

USER = "wire"
PASSWORD = "correct horse"  # the throwaway server's own
# pymap's command line, run by the interpreter of the tests (its console script may be
# missing from a venv built without scripts).
START = "import sys; from pymap.main import main; sys.argv[0] = 'pymap'; main()"


class IMAPServer:
    def __init__(self):
        self.port = _free_port()
        self._client = None
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open while it runs; close()
        self.process = subprocess.Popen(
            [sys.executable, "-c", START, "--host", "127.0.0.1", "--port", str(self.port),
             "--no-tls", "dict", "--demo-user", USER, "--demo-password", PASSWORD],
            # Its log in a file: a pipe nobody reads would fill and stall the server.
            stdout=subprocess.DEVNULL, stderr=self.log)
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30  # a cold start imports pymap and its parsers
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"pymap did not start: {self.log.read()[-2000:]!r}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("pymap did not listen within 30 s")

    def url(self, mailbox: str, user: str = USER, scheme: str = "imap") -> str:
        return f"{scheme}://{user}@127.0.0.1:{self.port}/{mailbox}"

    def client(self) -> imaplib.IMAP4:
        """The tests' own connection, logged in once (a login costs a password hash)."""
        if self._client is None:
            self._client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
            self._client.login(USER, PASSWORD)
        return self._client

    def deliver(self, mailbox: str, *messages: bytes) -> None:
        """Put messages in `mailbox` (created if new), unread, as delivery does."""
        client = self.client()
        client.create(mailbox)  # NO when it exists: fine
        for message in messages:
            status, said = client.append(mailbox, None, None, message)
            assert status == "OK", said

    def flags(self, mailbox: str) -> list[bytes]:
        """Each message's flags, read without changing them."""
        client = self.client()
        client.select(mailbox, readonly=True)
        _, data = client.fetch("1:*", "(FLAGS)")
        client.close()
        return [line for line in data if isinstance(line, bytes)]

    def close(self) -> None:
        if self._client is not None:
            self._client.logout()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
