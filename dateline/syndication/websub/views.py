"""The hub endpoint: subscribers ask here, the worker verifies and answers them later."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dateline.base.methods import takes_posts

from . import validation, verification


def plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


@takes_posts
@csrf_exempt  # subscribers are other servers posting forms; the recommendation says so
@require_POST
def hub(request: HttpRequest) -> HttpResponse:
    try:
        checked = validation.check_request(request)
    except validation.Refused as refused:
        return plain(refused.message, refused.status)
    verification.request_verification(checked)
    return plain(f"Accepted: the hub will confirm this {checked.mode} request with a GET to "
                 "hub.callback carrying hub.challenge; echo it to confirm.", 202)
