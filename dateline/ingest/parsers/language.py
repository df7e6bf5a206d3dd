"""An item's language: what the outlet declares, else what its words say.

py3langid ships its model inside the wheel, so nothing is downloaded at run time; it is
loaded once, on first use. Short texts guess badly, so under a handful of words nothing is
guessed (an empty language is honest; a wrong one sends a story to the wrong desk).
"""

import functools
import re

MIN_WORDS = 4
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*$")


def declared(value: str | None) -> str:
    """An outlet's declared language as a lower-case primary tag ("en-GB" -> "en"), or ""."""
    match = _TAG.match((value or "").strip())
    return match.group(1).lower() if match else ""


def detect(text: str) -> str:
    """The language the text is written in (ISO 639-1), or "" when too short to tell."""
    text = " ".join((text or "")[:2000].split())[:400]  # a few sentences are plenty
    if len(text.split()) < MIN_WORDS:
        return ""
    code, _score = _identifier().classify(text)
    return code


@functools.cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def language(declared_value: str | None, text: str) -> str:
    return declared(declared_value) or detect(text)
