"""The hub endpoint: subscribers ask here, the worker verifies and answers them later."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dateline.base.methods import takes_posts

from . import validation, verification


def plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


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
    verification.request_verification(checked)
    return plain(f"Accepted: the hub will confirm this {checked.mode} request with a GET to "
                 "hub.callback carrying hub.challenge; echo it to confirm.", 202)
