"""What the printed edition prints of a story: its body cut to a column's words, and whether
it was cut (a printed copy then names where the rest is: its only link is on paper)."""

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

from dateline.newsroom.html import within_depth

register = template.Library()


@register.filter
def printed(body: str, words: int) -> dict:
    """{"html": the body within `words` words, "cut": whether words were left out}. Counted,
    not compared: Truncator rewrites quotes and spaces in what it keeps, so every story with
    a quotation compared as cut."""
    whole = within_depth(body)
    if len(strip_tags(whole).split()) <= words:
        return {"html": whole, "cut": False}
    return {"html": Truncator(whole).words(words, html=True), "cut": True}
