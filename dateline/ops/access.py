"""Who may read /metrics: listed client addresses, or whoever presents the bearer token."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest

from dateline.base.clients import client_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
__all__ = ["allowed_networks", "client_address", "has_token", "may_read_metrics"]


def allowed_networks() -> list[Network]:
    """Parse DATELINE_METRICS_ALLOWED_IPS: addresses or networks (10.0.0.0/8); ValueError if bad."""
    return [ipaddress.ip_network(item, strict=False)
            for item in settings.DATELINE_METRICS_ALLOWED_IPS]


def has_token(request: HttpRequest) -> bool:
    """Tell whether the request carries `Authorization: Bearer <DATELINE_METRICS_TOKEN>`."""
    token = settings.DATELINE_METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def may_read_metrics(request: HttpRequest) -> bool:
    """Tell whether the request may read /metrics."""
    if has_token(request):
        return True
    try:
        address = ipaddress.ip_address(client_address(request).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
    return any(address in network for network in allowed_networks())
