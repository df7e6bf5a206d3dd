"""One JSON object per log line, for a log collector to index without parsing text."""

import json
import logging
from datetime import UTC, datetime

from dateline.base.errors import in_words
from dateline.db.unavailable import unavailable

# Fields of request logs: set by `dateline.access` records, derived for `django.request` ones.
# "cache" says what the page cache did: hit, miss, stored, bypass:<why>, refused:<why>.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "cache")


class JsonFormatter(logging.Formatter):
    """Format a record as a single line of JSON: time (UTC), level, logger, message and more."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(request_fields(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes newlines, so a traceback stays on its record's one line.
        return json.dumps(entry, default=str)


def request_fields(record: logging.LogRecord) -> dict[str, object]:
    """Return the request's method, path, status and duration that the record carries."""
    fields = {name: getattr(record, name) for name in REQUEST_FIELDS if hasattr(record, name)}
    # Django's own request logger passes the request and status_code instead.
    request = getattr(record, "request", None)
    if request is not None and hasattr(request, "method"):
        fields.setdefault("method", request.method)
        fields.setdefault("path", request.path)
    if hasattr(record, "status_code"):
        fields.setdefault("status", record.status_code)
    return fields



class ClientFault(logging.Filter):
    """A request answered under 500 failed for what the client sent: its record (Django logs
    a Host the site does not serve, too many fields or a broken multipart body with the
    exception's traceback, some as errors) becomes one line at WARNING. Anyone can send such
    requests, and each would write some 25 lines that say nothing of the site. Records of
    answers of 500 and more, and those of no request, keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = record.exc_text = None
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class DatabaseAway(logging.Filter):
    """A request answered 503 because the database cannot answer (dateline.db.unavailable):
    one line at ERROR with the driver's own words in place of the traceback, which says
    nothing more and which an outage of a minute, at hundreds of requests a second, would
    write tens of thousands of times."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if getattr(record, "status_code", None) == 503 and unavailable(error):
            record.msg, record.args = f"{record.getMessage()} (database: {in_words(error)})", ()
            record.exc_info = record.exc_text = None
        return True
