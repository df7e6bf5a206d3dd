"""How a feed names its hub and itself, in the feed and in its Link header."""

from django.http import HttpRequest
from django.urls import reverse


def hub_url(request: HttpRequest) -> str:
    """The hub on the host and scheme the feed was asked on, like the feed's own links."""
    return request.build_absolute_uri(reverse("websub:hub"))


def link_header(hub: str, topic: str) -> str:
    return f'<{hub}>; rel="hub", <{topic}>; rel="self"'
