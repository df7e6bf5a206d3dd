"""Who is asking, normalised so that one person counts as one: an address, a network, a mailbox."""

import contextlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the address of the client, as the reverse proxy saw it when there is one."""
    return address_in(request.META)


def address_in(environ: dict) -> str:
    """client_address from a WSGI environ (or a request's META): for code in front of Django."""
    if settings.DATELINE_BEHIND_PROXY:
        # The proxy appends the peer it saw; entries before it are whatever the client sent.
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.rsplit(",", 1)[-1].strip()
    return environ.get("REMOTE_ADDR", "")


def client_network(request: HttpRequest) -> str:
    """The client's IPv4 address, or its IPv6 /64: one household or phone holds a whole /64."""
    return network_in(request.META)


def network_in(environ: dict) -> str:
    """client_network from a WSGI environ (or a request's META)."""
    address = address_in(environ).split("%", 1)[0]  # no IPv6 zone ("fe80::1%eth0")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a unix socket): still one sender
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def mailbox(email: str) -> str:
    """One spelling per mailbox: `"Ana"@Example.org.`, ` ana+x@example.org` -> ana@example.org.

    Quoting a local part does not change the mailbox (RFC 5321, 4.1.2); nearly every provider
    ignores the case of the local part and delivers a +tag to the untagged box.
    """
    local, _, domain = email.strip().rpartition("@")
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = _unquote(local[1:-1])
    local = local.lower().split("+", 1)[0]
    domain = domain.strip().lower().rstrip(".")
    # bücher.de and xn--bcher-kva.de are one domain; one IDNA cannot encode is kept as written.
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def _unquote(quoted: str) -> str:
    """The characters of a quoted string, without its backslash escapes."""
    out, escaped = [], False
    for char in quoted:
        if char == "\\" and not escaped:
            escaped = True
            continue
        out.append(char)
        escaped = False
    return "".join(out)
