"""The confirmation page's link: signed and short-lived, so references cannot be guessed at.

The reference alone would let anyone who tries R-XXXX-XXXX at random learn that a report
exists and read its headline; the signed token names one report and only we can make one.
"""

from django.conf import settings
from django.core import signing

_SALT = "dateline.submissions.receipt"


def receipt_token(reference: str) -> str:
    return signing.dumps(reference, salt=_SALT)


class ReceiptExpired(Exception):
    """The link was ours, but older than DATELINE_SUBMISSION_RECEIPT_MAX_AGE."""


def reference_from_token(token: str) -> str | None:
    """The reference a token names; None if the token is not ours; ReceiptExpired if old."""
    try:
        return signing.loads(token, salt=_SALT,
                             max_age=settings.DATELINE_SUBMISSION_RECEIPT_MAX_AGE)
    except signing.SignatureExpired:
        raise ReceiptExpired from None
    except signing.BadSignature:
        return None
