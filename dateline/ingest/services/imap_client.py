"""The IMAP connection of the imap service: imaplib, bounded and checked, failures in words.

- The connect goes through dateline.base.outbound's check (public addresses unless
  DATELINE_INGEST_ALLOW_PRIVATE), as ingest's HTTP does; imaps:// uses TLS with the default
  context (the system's certificates, checked against the host name).
- DATELINE_INGEST_TIMEOUT bounds each read, DATELINE_INGEST_TOTAL_TIMEOUT the whole session;
  a literal larger than DATELINE_INGEST_MAX_BYTES is refused before it is read, whatever
  RFC822.SIZE said.
- Every IMAP or socket failure leaves as a ServiceError an editor reads on the feed.
"""

import contextlib
import imaplib
import re
import ssl
import time

from django.conf import settings

from dateline.base import outbound

from .base import ServiceError

# Server lines besides a message's literal; a literal beyond the size cap is refused as read.
_LITERAL_SLACK = 64 * 1024
_CHUNK = 64 * 1024
_COMMAND_PREFIX = re.compile(r"^command: \S+ => ")
_SIZE = re.compile(rb"\bUID (\d+)\b.*\bRFC822\.SIZE (\d+)|\bRFC822\.SIZE (\d+)\b.*\bUID (\d+)")


class Session:
    """One connection, logged in; every IMAP failure becomes a ServiceError in words."""

    def __init__(self, address):
        # A Mailbox (imap.py): host, port, user, secure, account, password().
        self.address = address
        self.imap = None

    def __enter__(self) -> "Session":
        address, timeout = self.address, settings.DATELINE_INGEST_TIMEOUT
        password = address.password()
        cls = _CheckedIMAP4SSL if address.secure else _CheckedIMAP4
        try:
            self.imap = cls(address.host, address.port, timeout=timeout)
            self.imap.login(address.user, password)
        except imaplib.IMAP4.error as exc:
            self.__exit__()
            raise ServiceError(f"The mail server refused the login for {address.account}: "
                               f"{_said(exc)}") from None
        except Exception as exc:
            self.__exit__()
            raise _in_words(exc, address) from None
        return self

    def __exit__(self, *_) -> None:
        if self.imap is None:
            return
        # A connection already gone is closed all the same.
        with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
            self.imap.logout()
        self.imap = None

    def _command(self, what: str, *args) -> list:
        try:
            status, data = getattr(self.imap, what)(*args)
        except imaplib.IMAP4.error as exc:
            raise ServiceError(f"The mail server failed the request ({_said(exc)})") from None
        except Exception as exc:
            raise _in_words(exc, self.address) from None
        if status != "OK":
            raise ServiceError(f"The mail server answered {status}: {_said(data)}")
        return data

    def examine(self, mailbox: str) -> int:
        """Open `mailbox` read-only; its UIDVALIDITY."""
        try:
            status, data = self.imap.select(f'"{mailbox}"', readonly=True)
        except imaplib.IMAP4.error as exc:
            raise ServiceError(f"The mailbox {mailbox} could not be opened ({_said(exc)})") \
                from None
        except Exception as exc:
            raise _in_words(exc, self.address) from None
        if status != "OK":
            raise ServiceError(f"The mailbox {mailbox} could not be opened: {_said(data)}")
        _, validity = self.imap.response("UIDVALIDITY")
        try:
            return int(validity[-1])
        except (TypeError, ValueError, IndexError):
            raise ServiceError("The mail server gave the mailbox no UIDVALIDITY") from None

    def uids_after(self, last: int) -> list[int]:
        """The UIDs above `last`, lowest first. ("n:*" names the highest message even when
        it is below n, so they are filtered here too.)"""
        data = self._command("uid", "SEARCH", "UID", f"{last + 1}:*")
        found = b" ".join(part for part in data if isinstance(part, bytes)).split()
        return sorted({int(uid) for uid in found if uid.isdigit() and int(uid) > last})

    def sizes(self, uids: list[int]) -> dict[int, int]:
        data = self._command("uid", "FETCH", ",".join(map(str, uids)), "(RFC822.SIZE)")
        sizes = {}
        for line in data:
            line = line[0] if isinstance(line, tuple) else line
            if isinstance(line, bytes) and (match := _SIZE.search(line)):
                uid, size = (match[1], match[2]) if match[1] else (match[4], match[3])
                sizes[int(uid)] = int(size)
        return sizes

    def message(self, uid: int) -> bytes:
        """The whole message, its \\Seen flag untouched (BODY.PEEK)."""
        data = self._command("uid", "FETCH", str(uid), "(BODY.PEEK[])")
        for part in data:
            if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
                return part[1]
        return b""  # gone since the search (moved by its owner): nothing to read


def size_words(size: int) -> str:
    """"20 KB", "10 MB", "14.2 MB"."""
    if size < 100 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"


def _said(what) -> str:
    """What the server said, as text: an exception's message or a response's lines."""
    if isinstance(what, Exception):
        what = what.args[0] if what.args else str(what)
    if isinstance(what, list):
        what = b" ".join(part for part in what if isinstance(part, bytes))
    if isinstance(what, bytes):
        what = what.decode("utf-8", errors="replace")
    # imaplib prefixes its own errors with the command ("command: UID => ..."): not for editors.
    what = _COMMAND_PREFIX.sub("", " ".join(str(what).split()))
    return what[:300] or "no reason given"


def _in_words(exc: BaseException, address) -> BaseException:
    """A transport failure as a ServiceError; anything else (a bug) as it is."""
    if isinstance(exc, outbound.AddressRefused):
        if exc.reason == outbound.NOT_FOUND:
            return ServiceError(f"The name {address.host[:100]} could not be found")
        return ServiceError(f"{address.host[:100]} is a private or local address; refused")
    if isinstance(exc, TimeoutError):
        return ServiceError(f"The mail server did not answer within "
                            f"{settings.DATELINE_INGEST_TIMEOUT:g} s")
    if isinstance(exc, ssl.SSLError):
        return ServiceError(f"The secure connection to {address.host} failed "
                            f"({exc.reason or exc})")
    if isinstance(exc, imaplib.IMAP4.abort | OSError | EOFError):
        return ServiceError(f"The connection to the mail server {address.host} failed "
                            f"({_said(exc)})")
    return exc


class _CheckedIMAP4(imaplib.IMAP4):
    """IMAP whose connect is checked like ingest's HTTP (public addresses unless allowed),
    which refuses a literal larger than the size cap before reading it, and which gives a
    whole session DATELINE_INGEST_TOTAL_TIMEOUT: the socket's timeout bounds each read, but a
    server dripping a byte at a time would pass it for ever."""

    deadline = 0.0

    def _create_socket(self, timeout):
        self.deadline = time.monotonic() + settings.DATELINE_INGEST_TOTAL_TIMEOUT
        return outbound.connect_checked(
            (self.host, self.port), timeout,
            allow_private=settings.DATELINE_INGEST_ALLOW_PRIVATE)

    def _in_time(self) -> None:
        if time.monotonic() > self.deadline:
            total = settings.DATELINE_INGEST_TOTAL_TIMEOUT
            raise self.abort(f"the mail server took longer than {total:g} s in all")

    def read(self, size):
        if size > settings.DATELINE_INGEST_MAX_BYTES + _LITERAL_SLACK:
            raise self.abort(f"the server sent {size_words(size)} at once, above the cap")
        chunks, left = [], size
        while left > 0:  # in chunks, so the deadline is looked at while a message streams
            self._in_time()
            chunk = self.file.read1(min(left, _CHUNK))  # what has come, not all of it
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def readline(self):
        self._in_time()
        return super().readline()


class _CheckedIMAP4SSL(imaplib.IMAP4_SSL, _CheckedIMAP4):
    """IMAP over TLS, the certificate checked against the host name (default context)."""

    def __init__(self, host, port, *, timeout):
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout):
        sock = _CheckedIMAP4._create_socket(self, timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)
