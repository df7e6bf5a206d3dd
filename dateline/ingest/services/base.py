"""What every ingest service does: fetch a feed's payloads, whatever the transport.

A service fetches (HTTP, a folder, ...); a parser reads what it fetched (dateline.ingest.
parsers); polling ties them together and keeps the feed's health (dateline.ingest.polling).
"""

from dataclasses import dataclass, field


class ServiceError(Exception):
    """Nothing could be fetched; the message says why in words an editor understands.
    `retry_after`: the seconds the source asked to be left alone (HTTP's Retry-After)."""

    def __init__(self, message: str = "", retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class Payload:
    body: bytes
    content_type: str = ""
    name: str = ""  # where it came from: the final URL, the file's name
    error: str = ""  # why it cannot be read at all (kept as a failed payload, not parsed)


@dataclass
class Fetched:
    payloads: list[Payload] = field(default_factory=list)
    # What the feed's `etag` and `last_modified` become once the poll went well.
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # the outlet has nothing new (HTTP 304)


class Service:
    """One transport. Subclasses set `name` and implement `fetch`."""

    name = ""
    # Whether the new state is kept even when a payload could not be parsed: a folder must
    # not read a bad file again, but an HTTP feed is asked afresh rather than answering 304.
    remembers_failures = False

    def fetch(self, feed) -> Fetched:
        raise NotImplementedError
