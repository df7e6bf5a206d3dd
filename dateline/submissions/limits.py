"""How much one reader may send: the size of a request, and reports per hour.

The counting itself is dateline.base.ratelimits, shared by every app and every worker; the
keys are keyed hashes (dateline.base.hashes), never an IP or address.
"""

from django.conf import settings
from django.http import HttpRequest

from dateline.base.ratelimits import RateLimit, Refusal

__all__ = ["RateLimit", "Refusal", "attempts_per_sender", "reports_per_address",
           "reports_per_sender", "request_size", "too_large"]


def request_size(request: HttpRequest) -> int:
    """The body's size as the client declares it (what Django will read, never more)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body then either


def too_large(request: HttpRequest) -> bool:
    """Tell whether the body is over DATELINE_SUBMISSION_MAX_REQUEST_BYTES, before reading it."""
    return request_size(request) > settings.DATELINE_SUBMISSION_MAX_REQUEST_BYTES


def attempts_per_sender() -> RateLimit:
    """Every POST, mistakes included: what a robot retrying forever runs into."""
    return RateLimit("attempts", settings.DATELINE_SUBMISSION_ATTEMPTS_PER_SENDER,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def reports_per_sender() -> RateLimit:
    return RateLimit("sender", settings.DATELINE_SUBMISSION_REPORTS_PER_SENDER,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def reports_per_address() -> RateLimit:
    return RateLimit("address", settings.DATELINE_SUBMISSION_REPORTS_PER_ADDRESS,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)
