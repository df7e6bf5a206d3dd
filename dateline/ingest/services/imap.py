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

import time
from urllib.parse import unquote, urlsplit

from django.conf import settings

from dateline.ingest import hosts

from .base import Fetched, Payload, Service, ServiceError
from .imap_client import Session, size_words
from .mail import payloads_of


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


def _mark(etag: str) -> tuple[int, int]:
    validity, _, last = etag.partition(":")
    return (int(validity), int(last)) if validity.isdigit() and last.isdigit() else (0, 0)
