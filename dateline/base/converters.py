"""`<id:pk>` in a URL pattern: a record's key, as `<int:pk>` but at most 18 digits.

Django's `int` takes any run of digits, and a key wider than any column holds reached the
database: SQLite cannot bind it (OverflowError, a 500 for anyone who typed
/articles/99999999999999999999999/x/). Eighteen digits stay under 2**63 - 1, the widest key
of SQLite and of PostgreSQL's bigint; a longer one matches no pattern and is a 404.
"""

from django.urls import register_converter


class RecordId:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(RecordId, "id")
