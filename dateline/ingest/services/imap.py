"""A mailbox read over IMAP: partner copy that agencies send by e-mail.

The feed's URL names the mailbox, `imaps://user@host:993/INBOX` (port and mailbox optional;
INBOX by default). The password is never in the URL (the desk shows URLs): it is looked up
by "user@host" in DATELINE_INGEST_IMAP_PASSWORDS, which the settings fill from environment
variables (DATELINE_IMAP_PASSWORD_<ANY NAME>="user@host password"), so a password goes only to
the host it belongs to, whatever an editor types in a URL. Plain `imap://` sends the password
unencrypted and is refused unless DATELINE_INGEST_IMAP_ALLOW_PLAIN (loopback tests).

The mailbox is opened read-only (EXAMINE) and messages are fetched with BODY.PEEK: nothing
is deleted, moved or marked read, because the mailbox usually belongs to people too (the desk
reads the partner copy in a mail client) and other systems may read it as well; ingest only
remembers how far it read, as "UIDVALIDITY:LASTUID" in the feed's `etag`. When the server
renumbers the mailbox (a new UIDVALIDITY) reading starts again from the first message: items
are stored once by their guid (Message-ID, the ninjs/NewsML guid), so nothing is duplicated.

Each poll reads at most DATELINE_INGEST_IMAP_BATCH new messages, oldest first; the rest wait
for the next poll. A message's size is asked first (RFC822.SIZE): one over
DATELINE_INGEST_MAX_BYTES is not downloaded but kept as a failed payload saying so. Each
message read becomes payloads: its attachments in a format a parser reads (ninjs, NewsML-G2,
RSS/Atom, JSON Lines), else the message itself, read by the "email" parser.
"""

import contextlib
import imaplib
import re
import ssl
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings

from dateline.base import outbound
from dateline.ingest import hosts

from .base import Fetched, Payload, Service, ServiceError
from .mail import payloads_of

# Server lines besides a message's literal; a literal beyond the size cap is refused as read.
_LITERAL_SLACK = 64 * 1024
_CHUNK = 64 * 1024
_COMMAND_PREFIX = re.compile(r"^command: \S+ => ")
_SIZE = re.compile(rb"\bUID (\d+)\b.*\bRFC822\.SIZE (\d+)|\bRFC822\.SIZE (\d+)\b.*\bUID (\d+)")


class IMAPService(Service):
    name = "imap"
    # A message that could not be read is not fetched again at every poll.
    remembers_failures = True

    def fetch(self, feed) -> Fetched:
        address = Mailbox.of(feed.url)
        validity, last = _mark(feed.etag)
        deadline = time.monotonic() + settings.DATELINE_INGEST_TOTAL_TIMEOUT
        with hosts.turn(f"{address.host}:{address.port}"), address.session() as imap:
            now_validity = imap.examine(address.mailbox)
            if now_validity != validity:
                last = 0  # renumbered (or never read): from the start; guids keep items once
            uids = imap.uids_after(last)[:settings.DATELINE_INGEST_IMAP_BATCH]
            if not uids:
                return Fetched(not_modified=True, etag=f"{now_validity}:{last}")
            limit = settings.DATELINE_INGEST_MAX_BYTES
            sizes = imap.sizes(uids)
            payloads, read_up_to = [], last
            for uid in uids:
                if read_up_to > last and time.monotonic() > deadline:
                    break  # the rest at the next poll
                name = f"UID {uid} in {address.mailbox}"
                size = sizes.get(uid, 0)
                if size > limit:
                    payloads.append(Payload(b"", "message/rfc822", name, error=(
                        f"The message {name} is larger than {size_words(limit)} "
                        f"({size_words(size)}); it was not downloaded")))
                else:
                    payloads += payloads_of(imap.message(uid), name)
                read_up_to = uid
        return Fetched(payloads=payloads, etag=f"{now_validity}:{read_up_to}")


class Mailbox:
    """Where a feed's messages are: parsed from its URL, the password from the settings."""

    def __init__(self, secure: bool, user: str, host: str, port: int, mailbox: str):
        self.secure, self.user, self.host, self.port = secure, user, host, port
        self.mailbox = mailbox

    @classmethod
    def of(cls, url: str) -> "Mailbox":
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ServiceError(f"{url[:100]} is not a mailbox address") from None
        if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
            raise ServiceError(
                f"{url[:100]} is not a mailbox address (imaps://user@host:993/INBOX)")
        if parts.password is not None:
            raise ServiceError("The feed URL holds a password: remove it and set it on the "
                               "server (DATELINE_IMAP_PASSWORD_…), where the desk never shows it")
        if not parts.username:
            raise ServiceError(f"{url[:100]} names no user (imaps://user@host/INBOX)")
        if parts.scheme == "imap" and not settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN:
            raise ServiceError(
                "Plain imap:// would send the password unencrypted: use imaps:// (port 993); "
                "plain IMAP is allowed only with DATELINE_INGEST_IMAP_ALLOW_PLAIN")
        secure = parts.scheme == "imaps"
        mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
        if not mailbox.isascii() or any(char in mailbox for char in '"\\\r\n\x00'):
            # Non-ASCII names travel as modified UTF-7, which imaplib does not write.
            raise ServiceError(f"The mailbox name {mailbox[:100]!r} cannot be asked for "
                               "(plain ASCII names only, without quotes)")
        return cls(secure, unquote(parts.username), parts.hostname, port or (993 if secure
                                                                              else 143), mailbox)

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}"

    def password(self) -> str:
        # The user as written (servers may tell case apart), the host in any case.
        passwords = {f"{user}@{host.lower()}": password for (user, _, host), password in (
            (account.rpartition("@"), password)
            for account, password in settings.DATELINE_INGEST_IMAP_PASSWORDS.items())}
        password = passwords.get(self.account)
        if not password:
            raise ServiceError(
                f"No password is set for {self.account}: set DATELINE_IMAP_PASSWORD_<NAME>="
                f'"{self.account} <password>" in the server\'s environment')
        return password

    def session(self) -> "Session":
        return Session(self)


class Session:
    """One connection, logged in; every IMAP failure becomes a ServiceError in words."""

    def __init__(self, address: Mailbox):
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


def _mark(etag: str) -> tuple[int, int]:
    validity, _, last = etag.partition(":")
    return (int(validity), int(last)) if validity.isdigit() and last.isdigit() else (0, 0)


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


def _in_words(exc: BaseException, address: Mailbox) -> BaseException:
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
