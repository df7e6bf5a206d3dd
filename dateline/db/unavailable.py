"""A database that cannot answer now is a 503 with Retry-After and a page in words, never a
500: the server down or restarting, a lost connection, no connection slot left, its disk full,
an SQLite file locked past the busy timeout or not there to open.

Django turns an exception that escapes a view or a middleware into an answer inside each
middleware layer, so no middleware sees one raised by another: the error view is the one place
every such exception reaches (`handler500` in `dateline.urls`). It decides from the driver's own
code, not the message, and leaves every other error a 500: "no such table" is a wrong
statement or a missing migration, not a database that is away.
"""

import sqlite3
import sys

from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

# Seconds a client (or a crawler) is told to wait: about a PostgreSQL restart or fail-over.
RETRY_AFTER_S = 30
WORDS = ("The news database is not answering at the moment, so this page cannot be shown. "
         "Try again in a minute.")
# It answers but takes no change: read-only (a file or disk gone read-only, a PostgreSQL in
# read-only mode or a standby) or full. Readers' pages are still served; a save is not.
WORDS_NO_WRITES = ("The news database cannot store changes at the moment (it is read-only or "
                   "its disk is full), so nothing was saved. Go back to keep what you typed, "
                   "and try again later.")
# SQLite's result codes (extended ones begin with these) for a file that cannot be used now.
_SQLITE_NOW = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL",
               "SQLITE_READONLY")
# PostgreSQL's SQLSTATEs for the same: connection exceptions (class 08), the server shutting
# down, crashed or starting (57P01-57P03), out of connections, disk or memory (class 53).
_POSTGRES_NOW = ("08", "57P01", "57P02", "57P03", "53", "25006")
# Of those, the ones that mean the database answers and takes no change.
_SQLITE_NO_WRITES = ("SQLITE_READONLY", "SQLITE_FULL")
_POSTGRES_NO_WRITES = ("25006", "53100")  # read-only transaction, disk full


def unavailable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot answer now (rather than that a statement is
    wrong)."""
    if isinstance(error, InterfaceError):  # psycopg: the connection is closed
        return True
    if isinstance(error, InternalError):  # psycopg files a read-only transaction here
        return str(getattr(error.__cause__, "sqlstate", "")) == "25006"
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        return str(getattr(cause, "sqlite_errorname", "")).startswith(_SQLITE_NOW)
    state = getattr(cause, "sqlstate", None)
    # psycopg gives no SQLSTATE where no server answered: refused, reset, timed out.
    return state is None or str(state).startswith(_POSTGRES_NOW)


def takes_no_writes(error: BaseException | None) -> bool:
    """Whether `error` (one `unavailable` accepts) says the database answers but cannot store a
    change: the desk then says so, not that the database is not answering."""
    cause = getattr(error, "__cause__", None)
    if isinstance(cause, sqlite3.Error):
        return str(getattr(cause, "sqlite_errorname", "")).startswith(_SQLITE_NO_WRITES)
    return str(getattr(cause, "sqlstate", "")) in _POSTGRES_NO_WRITES


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500, or a 503 when the database is away (the exception being handled)."""
    error = sys.exception()
    if not unavailable(error):
        return defaults.server_error(request)
    words = WORDS_NO_WRITES if takes_no_writes(error) else WORDS
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"error": words, "status": 503}, status=503)
    else:
        # A page of its own: the site's base template reads its sections from the database.
        response = HttpResponse(render_to_string("db/unavailable.html", {"words": words}),
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    response["Cache-Control"] = "no-store"  # neither the page cache nor nginx keeps it
    return response
