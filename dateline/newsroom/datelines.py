"""The house dateline: how the agency writes a moment, on its pages and in what it sends out."""

from django.utils import timezone
from django.utils.dateformat import format as format_date

HOUSE_DATELINE = "F j, Y, l // H:i"


def house_dateline(moment) -> str:
    """December 11, 2024, Wednesday // 09:15, in the site's time zone."""
    if not moment:
        return ""
    return format_date(timezone.localtime(moment), HOUSE_DATELINE)
