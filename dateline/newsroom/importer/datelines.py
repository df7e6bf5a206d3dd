"""A wire dateline that runs on into the story's first words, given back to the body.

A wire story opens "RIO DE JANEIRO, Feb 26 - Brazil's "Cruzado" anti-inflation plan ...", the
dateline ending at the dash after its date. Archives converted from the wire's text sometimes
cut the dateline at a later hyphen: the record's dateline then reads "RIO DE JANEIRO, Feb 26 -
Brazil's "Cruzado" anti" and its body starts mid-word, "inflation plan, ..." (32 of Reuters-
21578's 12,865 training stories). The words past the date's dash go back in front of the body,
so the page, the brief and partners' wire read the story's first sentence whole, and the
dateline is the place and the date. Whether the cut was a hyphen or a dash is lost: a word
cut off before lower case or a figure was hyphenated ("anti-inflation", "37-billion-dlr"), one
before "and" suspended ("fat- and oil-bearing"); anything else reads as a dash ("Clear/43
degrees - Hog prices are expected steady", "<BAA PLC> - formerly the British Airports
Authority - is to be privatised"), which also reads right where it was a name's hyphen
("Iraq - Turkey oil pipeline").
"""

import re

# The place, a comma, then a date ending in its day's digits, then the wire's dash.
_RUN_ON = re.compile(r"^(?P<dateline>[^\n]*?,[^\n]*?\d)\s+-\s+(?P<words>\S[^\n]*)$")
# A hyphen cut before one of these was a suspended one: "fat- and oil-bearing", "Vereins- und
# Westbank".
_SUSPENDED_BEFORE = frozenset({"and", "or", "und", "to"})


def dateline_and_body(dateline: str, body: str) -> tuple[str, str]:
    match = _RUN_ON.match(dateline.strip())
    if match is None or not body.strip():
        return dateline, body
    words, rest = match["words"].rstrip(), body.lstrip()
    if rest.split(None, 1)[0].lower() in _SUSPENDED_BEFORE:
        joint = "- "
    elif words[-1].isalnum() and (rest[0].islower() or rest[0].isdigit()):
        joint = "-"
    else:
        joint = " - "
    return match["dateline"], words + joint + rest
