"""Formats the agency's pages share, such as its house dateline."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()

HOUSE_DATELINE = "F j, Y, l // H:i"


@register.filter
def house_dateline(moment) -> str:
    """December 11, 2024, Wednesday // 09:15, in the site's time zone."""
    if not moment:
        return ""
    return format_date(timezone.localtime(moment), HOUSE_DATELINE)


@register.filter
def iso_datetime(moment) -> str:
    return timezone.localtime(moment).isoformat() if moment else ""


@register.simple_tag
def url_if_exists(name: str) -> str:
    """Reverse a URL name, or return '' while the app that provides it is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
