"""An HTTP(S) feed, asked with the validators it gave last time (conditional GET)."""

from dateline.ingest.fetching import fetch

from .base import Fetched, Payload, Service


class HTTPService(Service):
    name = "http"

    def fetch(self, feed) -> Fetched:
        answer = fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if answer.not_modified:
            return Fetched(not_modified=True, etag=answer.etag or feed.etag,
                           last_modified=answer.last_modified or feed.last_modified)
        return Fetched(
            payloads=[Payload(answer.body, answer.content_type, answer.url)],
            etag=answer.etag, last_modified=answer.last_modified,
        )
