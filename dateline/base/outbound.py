"""Outbound HTTP connections that only reach public addresses (unless private ones are allowed).

Several apps fetch URLs that someone else wrote (an import record's photos, an outlet's feed
and its redirects): without a check such a URL can make the server call into its own network
(SSRF: the cloud's metadata service, an admin port on localhost). They live in sibling layers
that may not import each other, so the one mechanism lives here.

Every address a name resolves to must be public, or the name is refused: connecting only to
the public ones would let a name that mixes both reach the private side on the next lookup.
The check is made as the socket connects, to the very address it then connects to, so a name
that resolves to a public address when the URL is looked at and to a private one a moment
later (DNS rebinding) gains nothing; and since every redirect opens a new connection, every
hop is checked the same way.

AddressRefused is deliberately not an OSError: http.client lets it through untouched and
urllib does not wrap it into URLError, so a caller catches it by name wherever it went
through, and says in its own words why nothing was fetched.
"""

import http.client
import ipaddress
import socket
from collections.abc import Callable

NOT_FOUND = "not-found"
PRIVATE = "private"

# NAT64's well-known prefix carries an IPv4 address in its last 32 bits: 64:ff9b::7f00:1
# counts as global to ipaddress yet reaches 127.0.0.1 through a NAT64 gateway.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """The host was not connected to; `reason` is NOT_FOUND or PRIVATE, `host` the name."""

    def __init__(self, host: str, reason: str):
        self.host, self.reason = host, reason
        said = "could not be found" if reason == NOT_FOUND else "is a private or local address"
        super().__init__(f"{host[:100]} {said}")


def is_public(address: str) -> bool:
    """Whether `address` (an IP as getaddrinfo gives it) is on the public internet."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    elif ip.version == 6 and ip in _NAT64:
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # Multicast counts as global to ipaddress, but no web server answers there.
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int, *, allow_private: bool) -> list[tuple]:
    """getaddrinfo's answers for `host`, if all are public (or private ones allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise AddressRefused(host, NOT_FOUND) from None
    if not infos:
        raise AddressRefused(host, NOT_FOUND)
    if not allow_private and not all(is_public(info[4][0]) for info in infos):
        raise AddressRefused(host, PRIVATE)
    if any(is_link_local(info[4][0]) for info in infos):
        # Never, even where private addresses are allowed (make run's demo outlets, a
        # newsroom's own network): 169.254.169.254 is a cloud's metadata service, and no
        # outlet or photo lives on a link-local address.
        raise AddressRefused(host, PRIVATE)
    return infos


def is_link_local(address: str) -> bool:
    """169.254.0.0/16, fe80::/10, and either written as an IPv4-mapped IPv6 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_link_local


def connect_checked(address: tuple, timeout: float | None = None, *,
                    allow_private: bool) -> socket.socket:
    """A socket connected to one of `address`'s host's addresses, each checked just now."""
    host, port = address
    last: OSError | None = None
    for family, kind, proto, _, sockaddr in public_addresses(host, port,
                                                             allow_private=allow_private):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            sock.close()
            last = exc  # this address is down; the name may have another
    raise last or OSError(f"{host} has no address")


def checked_connection_classes(allow_private: Callable[[], bool]) -> tuple[type, type]:
    """HTTPConnection and HTTPSConnection subclasses whose every connect is checked.

    `allow_private` is asked at each connect, so a setting changed later (a test's
    override_settings) takes effect; HTTPS still checks the certificate against the host name.
    """
    def create_connection(address, timeout=None, source_address=None, **kwargs):
        return connect_checked(address, timeout, allow_private=allow_private())

    class CheckedHTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # http.client sets this in __init__ (a class attribute would be shadowed).
            self._create_connection = create_connection

    class CheckedHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = create_connection

    return CheckedHTTPConnection, CheckedHTTPSConnection
