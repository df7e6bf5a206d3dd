"""A reader's contact details left in the text of their report: the desk is told, on the story
drafted from it, until they are taken out (readers write "call me on +359 888 123 456" to the
newsroom, not to every reader of the story)."""

import re

from django.http import HttpRequest
from django.utils.html import format_html, strip_tags

from dateline.newsroom.models import Article

from .models import Submission

# Each bounded and started only where a run begins: reader-written text runs to 50,000
# characters, and an unbounded run ("1/ 1/ 1/ …", a pasted long link) took seconds a render.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# Digits with the separators people write between them: "+359 888 123 456", "(02) 987-6543".
PHONE = re.compile(r"(?<![\w/.,-])\+?\(?\d[\d ().\-/]{5,20}\d(?![\w/])")
# What the same characters write that is no telephone: dates, spans of years, and figures in
# thousands grouped by spaces ("1 234 567": numbers dialled start with 0 or +).
NOT_PHONE = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}\s?-\s?\d{4}"
                       r"|[1-9]\d{0,2}(?: \d{3})+")
SHOWN = 5


def contact_details(text: str) -> list[str]:
    """The e-mail addresses and telephone numbers the text seems to hold, first few."""
    found = [m.group(0) for m in EMAIL.finditer(text)]
    for match in PHONE.finditer(EMAIL.sub(" ", text)):
        number = match.group(0).strip()
        digits = sum(c.isdigit() for c in number)
        if 7 <= digits <= 15 and not NOT_PHONE.fullmatch(number):
            found.append(number)
    return list(dict.fromkeys(found))[:SHOWN]


# What people write before a number or an address they give: left hanging once it is gone.
_LABELS = re.compile(r"(?:[\s,;:|/(\-\u2013\u2014]|\b(?:tel|phone|mobile|mob|cell|e-?mail|mail|"
                     r"contact|call|write to)\b\.?)*$", re.IGNORECASE)


def credited_name(name: str) -> str:
    """The reader's name as the story credits it: up to the first contact detail the name
    field holds ("Ana Petrova, ana@example.org, tel +359 888 123 456" is "Ana Petrova"), so
    the byline and the photo credit never print an address. Empty where nothing precedes."""
    cut = len(name)
    for detail in contact_details(name):
        cut = min(cut, name.find(detail))
    return _LABELS.sub("", name[:cut]).strip() if cut < len(name) else name.strip()


def contact_notice(request: HttpRequest, article: Article) -> str | None:
    """Beside the workflow buttons of a story drafted from a reader's report whose words
    still hold what looks like contact details."""
    if not article.pk or not Submission.objects.filter(article=article).exists():
        return None
    # The byline too: the reader's name field is theirs to fill, and an editor may retype it.
    found = contact_details(" ".join((article.headline, article.standfirst, article.byline_text,
                                      strip_tags(article.body))))
    if not found:
        return None
    return format_html(
        "<strong>Contact details?</strong> The reader's words hold what look like an e-mail "
        "address or telephone number ({}): take them out before publishing, unless the reader "
        "asked for them to be printed.", ", ".join(found))
