"""What the printed edition prints of a story: its body cut to a column's words, and whether
it was cut (a printed copy then names where the rest is: its only link is on paper)."""

from django import template
from django.utils.text import Truncator

from dateline.newsroom.html import within_depth

register = template.Library()


@register.filter
def printed(body: str, words: int) -> dict:
    """{"html": the body within `words` words, "cut": whether words were left out}."""
    whole = within_depth(body)
    cut = Truncator(whole).words(words, html=True)
    return {"html": cut, "cut": cut != whole}
