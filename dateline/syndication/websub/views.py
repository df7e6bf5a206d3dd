"""The hub endpoint: subscribers ask here, the worker verifies and answers them later."""

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dateline.base.hashes import sender_hash
from dateline.base.methods import takes_posts
from dateline.base.ratelimits import RateLimit

from . import validation, verification


def plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def requests_per_sender() -> RateLimit:
    """The well-formed requests to the hub from one address or IPv6 network."""
    return RateLimit("websub-sender", settings.DATELINE_WEBSUB_REQUESTS_PER_SENDER, 3600)


@takes_posts
@csrf_exempt  # subscribers are other servers posting forms; the recommendation says so
def hub(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # Django's require_POST answers with an empty body
        refused = plain("This is the WebSub hub of this site's feeds: subscribers POST "
                        "hub.mode, hub.topic and hub.callback here (a form).", 405)
        refused["Allow"] = "POST"
        return refused
    try:
        checked = validation.check_request(request)
    except validation.Refused as refused:
        return plain(refused.message, refused.status)
    # Counted once a request would be kept: a refused one costs its parsing, and stores nothing.
    refusal = requests_per_sender().count(sender_hash(request))
    if refusal:
        refused = plain(f"This hub takes at most {refusal.limit.allowed} requests an hour from "
                        f"one sender; try again in {math.ceil(refusal.retry_after / 60)} "
                        "minutes.", 429)
        refused["Retry-After"] = str(refusal.retry_after)
        return refused
    verification.request_verification(checked)
    return plain(f"Accepted: the hub will confirm this {checked.mode} request with a GET to "
                 "hub.callback carrying hub.challenge; echo it to confirm.", 202)
