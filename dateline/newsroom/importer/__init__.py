"""Import articles from JSON Lines archives (the format is documented in the README)."""

from .loader import ImportReport, import_file
from .profile import ImportProfile
from .records import ArticleRecord, RecordError, parse_record

__all__ = [
    "ArticleRecord", "ImportProfile", "ImportReport", "RecordError", "import_file", "parse_record",
]
