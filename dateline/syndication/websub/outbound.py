"""The hub's own HTTP requests: short timeouts, no redirects, and no private addresses.

The callback's host is resolved here, checked, and connected to by the address that was
checked, so a name that resolves to a public address at subscription time and to a private
one later (DNS rebinding) still cannot make the hub call into the private network.
"""

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass

from django.conf import settings

from dateline.base.outbound import is_link_local


class OutboundError(Exception):
    """The request could not be made or answered: name, address, connection, time or protocol."""


class PrivateAddress(OutboundError):
    """The host resolves to an address of a private, loopback, link-local or reserved network."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def addresses(host: str, port: int, allow_private: bool) -> list[tuple]:
    """The (family, sockaddr) pairs to connect to, refusing a host with any private address."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise OutboundError(f"the host {host[:100]!r} does not resolve") from error
    if not found:
        raise OutboundError(f"the host {host[:100]!r} does not resolve")
    # All or nothing: connecting only to the public ones would still let a name that mixes
    # both reach the private side on the next lookup.
    if not allow_private and not all(is_public(sockaddr[0]) for *_, sockaddr in found):
        raise PrivateAddress(
            f"the host {host[:100]!r} resolves to a private, loopback or link-local address")
    if any(is_link_local(sockaddr[0]) for *_, sockaddr in found):
        # Never, even where private addresses are allowed (make run, a newsroom's own
        # subscriber): 169.254.169.254 is a cloud's metadata service (an outside tester had the
        # hub call it, as 0xa9fea9fe and ::ffff:169.254.169.254 too, under make run).
        raise PrivateAddress(f"the host {host[:100]!r} resolves to a link-local address")
    return [(family, sockaddr) for family, _, _, _, sockaddr in found]


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address while naming the host in the Host header."""

    def __init__(self, host: str, port: int, target: tuple, timeout: float, **kwargs) -> None:
        super().__init__(host, port, timeout=timeout, **kwargs)
        self.target = target

    def open_socket(self) -> socket.socket:
        family, sockaddr = self.target
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(sockaddr)
        except BaseException:
            sock.close()
            raise
        return sock

    def connect(self) -> None:
        self.sock = self.open_socket()


class PinnedHTTPSConnection(PinnedHTTPConnection, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, target: tuple, timeout: float) -> None:
        super().__init__(host, port, target, timeout, context=ssl.create_default_context())

    def connect(self) -> None:
        # The certificate is checked against the host name, not the address dialled.
        self.sock = self._context.wrap_socket(self.open_socket(), server_hostname=self.host)


def fetch(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None,
          read_limit: int = 0) -> Reply:
    """Make one request; redirects are answers like any other (3xx), never followed."""
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    timeout = settings.DATELINE_WEBSUB_TIMEOUT
    deadline = time.monotonic() + 2 * timeout
    targets = addresses(parts.hostname or "", port, settings.DATELINE_WEBSUB_ALLOW_PRIVATE)
    connection_class = PinnedHTTPSConnection if secure else PinnedHTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    last_error: Exception | None = None
    for target in targets[:3]:
        connection = connection_class(parts.hostname, port, target, timeout)
        try:
            try:
                connection.connect()
            except OSError as error:
                last_error = error  # this address is down; the name may have another
                continue
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                return Reply(response.status, read_at_most(response, read_limit, deadline))
            except (OSError, http.client.HTTPException, ValueError) as error:
                raise OutboundError(describe(error)) from error
        finally:
            connection.close()
    raise OutboundError(describe(last_error)) from last_error


def read_at_most(response: http.client.HTTPResponse, limit: int, deadline: float) -> bytes:
    """Read up to limit bytes, giving up at the deadline: a slow drip must not hold a worker."""
    data = bytearray()
    while len(data) < limit:
        if time.monotonic() > deadline:
            raise OutboundError("the answer took too long")
        chunk = response.read1(limit - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def describe(error: Exception | None) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return f"{type(error).__name__}: {error}"[:300]
