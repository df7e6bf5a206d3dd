"""Who sent a report, as far as the newsroom needs to know: keyed hashes, never addresses."""

import ipaddress

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from dateline.ops.access import client_address

# Different salts: the hash of an IP and the hash of an e-mail address cannot be compared.
_SENDER_SALT = "dateline.submissions.sender"
_ADDRESS_SALT = "dateline.submissions.address"


def sender_network(request: HttpRequest) -> str:
    """The client's IPv4 address, or its IPv6 /64: one household or phone holds a whole /64."""
    address = client_address(request).split("%", 1)[0]  # no IPv6 zone ("fe80::1%eth0")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a unix socket): still one sender
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def sender_hash(request: HttpRequest) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of the sender's network: 64 hex digits."""
    return salted_hmac(_SENDER_SALT, sender_network(request), algorithm="sha256").hexdigest()


def address_hash(email: str) -> str:
    """A keyed hash of an e-mail address, the same for Ana@Example.org and ana+x@example.org."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    return salted_hmac(_ADDRESS_SALT, f"{local}@{domain}", algorithm="sha256").hexdigest()
