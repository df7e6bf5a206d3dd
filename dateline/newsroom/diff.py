"""Readable word-level differences between two revisions of a story."""

import re
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .html import plain_text

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|figcaption|tr)>|<br\s*/?>", re.I)
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def readable_text(markup: str) -> str:
    """Body HTML as plain text, one paragraph per line."""
    return "\n".join(
        line for line in (plain_text(part) for part in _BLOCK_END.split(markup or "")[::2]) if line
    )


def word_diff(old: str, new: str) -> SafeString:
    """Mark words removed with <del> and added with <ins>; everything escaped."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))


def revision_diff(old, new) -> list[dict]:
    """Per field: its label, whether it changed, and the marked-up difference."""
    fields = [
        ("Headline", old.headline, new.headline),
        ("Standfirst", old.standfirst, new.standfirst),
        ("Body", readable_text(old.body), readable_text(new.body)),
    ]
    for key in sorted(set(old.metadata) | set(new.metadata)):
        before, after = old.metadata.get(key, ""), new.metadata.get(key, "")
        fields.append((key.replace("_", " ").capitalize(), _flat(before), _flat(after)))
    return [
        {"label": label, "changed": a != b, "diff": word_diff(a, b)} for label, a, b in fields
    ]


def _flat(value) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
