"""Outbound connections reach public addresses only, checked as the socket connects."""

import http.server
import socket
import urllib.error
import urllib.request

import pytest

from dateline.base import outbound
from dateline.base.outbound import AddressRefused
from tests.serving import serve_in_thread

pytestmark = pytest.mark.one_engine


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    """A real HTTP server on loopback that counts the requests it answered."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.hits = 0
    serve_in_thread(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "0.0.0.0",
    "224.0.0.1", "::1", "fe80::1%eth0", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "64:ff9b::7f00:1", "ff0e::1",
])
def test_private_local_and_multicast_addresses_are_not_public(address):
    assert not outbound.is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808"])
def test_public_addresses_are_public(address):
    assert outbound.is_public(address)


def test_a_private_address_is_refused_unless_allowed(server):
    port = server.server_address[1]
    with pytest.raises(AddressRefused) as refused:
        outbound.public_addresses("127.0.0.1", port, allow_private=False)
    assert (refused.value.reason, refused.value.host) == (outbound.PRIVATE, "127.0.0.1")
    assert str(refused.value) == "127.0.0.1 is a private or local address"
    infos = outbound.public_addresses("127.0.0.1", port, allow_private=True)
    assert {info[4][:2] for info in infos} == {("127.0.0.1", port)}


@pytest.mark.parametrize("address", ["169.254.169.254", "fe80::1", "::ffff:169.254.169.254"])
def test_a_link_local_address_is_refused_even_where_private_ones_are_allowed(address):
    """make run allows private addresses (its demo outlets are on loopback): a feed that
    redirected to 169.254.169.254 reached a cloud's metadata service from the desk."""
    with pytest.raises(AddressRefused) as refused:
        outbound.public_addresses(address, 80, allow_private=True)
    assert refused.value.reason == outbound.PRIVATE


def test_a_name_that_does_not_resolve_is_not_found():
    # .invalid never resolves (RFC 6761), with or without a network.
    for allow_private in (False, True):
        with pytest.raises(AddressRefused) as refused:
            outbound.public_addresses("nowhere.invalid", 80, allow_private=allow_private)
        assert refused.value.reason == outbound.NOT_FOUND
        assert str(refused.value) == "nowhere.invalid could not be found"


def test_the_connection_classes_check_the_address_they_connect_to(server):
    allowed = [False]
    http_class, https_class = outbound.checked_connection_classes(lambda: allowed[0])
    port = server.server_address[1]
    for host in ("127.0.0.1", "localhost"):
        for cls in (http_class, https_class):
            connection = cls(host, port, timeout=5)
            with pytest.raises(AddressRefused, match="private or local"):
                connection.request("GET", "/")
            assert connection.sock is None
    assert server.hits == 0  # refused before a byte was sent

    allowed[0] = True  # asked at each connect, as a setting changed by a test would be
    connection = http_class("127.0.0.1", port, timeout=5)
    connection.request("GET", "/")
    response = connection.getresponse()
    assert (response.status, response.read(), server.hits) == (200, b"ok", 1)
    connection.close()


def test_a_refusal_passes_through_urllib_unwrapped(server):
    """Not an OSError, so urllib does not turn it into URLError: callers catch it by name."""
    http_class, _ = outbound.checked_connection_classes(lambda: False)

    class CheckedHandler(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(http_class, req)

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), CheckedHandler)
    with pytest.raises(AddressRefused) as refused:
        opener.open(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5)
    assert not isinstance(refused.value, OSError | urllib.error.URLError)
    assert server.hits == 0


def test_an_address_that_does_not_answer_raises_the_connect_error():
    with socket.socket() as probe:  # a port that was just free, so nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionRefusedError):
        outbound.connect_checked(("127.0.0.1", port), 5, allow_private=True)
