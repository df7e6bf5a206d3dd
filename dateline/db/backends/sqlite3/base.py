"""Django's SQLite backend, with each query's conversion to SQLite's placeholders remembered.

Django writes "%s" where Python's sqlite3 takes "?", and converts every query it runs with a
regular expression over the whole statement: 14 µs for the article page's 1,200-character
read of a story, some 0.1 ms of every page rendered afresh (twelve queries; bench/README.md).
The conversion is a pure function of the statement's text, and a site runs the same few
hundred statements again and again, so it is remembered. Every other query is the stock
backend's.
"""

from functools import lru_cache

from django.db.backends.sqlite3 import base

# Statements held: every query shape a busy site runs, several times over (a few MB at most).
_MEMO = 4096


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names=None) -> str:
        if param_names is None:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


@lru_cache(maxsize=_MEMO)
def _qmark_style(query: str) -> str:
    """Django's "format" style as sqlite3's "qmark" style ("%%" is a percent sign)."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)
