"""The beacon where Django serves alone (runserver, tests); `dateline serve` answers it in
front of Django (beacon.BeaconFirst)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dateline.base.clients import client_network
from dateline.base.methods import takes_posts

from .beacon import answer, body_length


@takes_posts
@csrf_exempt  # no cookie is read or set, so there is no session for a forged request to ride
def beacon(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    status, why = answer(request.method, request.path_info,
                         request.headers.get("User-Agent", ""),
                         request.headers.get("Sec-Fetch-Site", ""), body_length(request.META),
                         client_network(request))
    response = HttpResponse(why, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if status == 405:
        response["Allow"] = "POST"
    return response
