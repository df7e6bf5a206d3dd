"""Keyed hashes of who is asking (HMAC-SHA256 with SECRET_KEY): what limits count and rows keep,
never an address."""

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from .clients import client_network, mailbox

# Different salts: the hash of an IP and the hash of an e-mail address cannot be compared. The
# names keep the app they were first made in: hashes already stored were made with them.
_SENDER_SALT = "dateline.submissions.sender"
_ADDRESS_SALT = "dateline.submissions.address"


def sender_hash(request: HttpRequest) -> str:
    """A keyed hash of the sender's network (IPv4 address or IPv6 /64): 64 hex digits."""
    return salted_hmac(_SENDER_SALT, client_network(request), algorithm="sha256").hexdigest()


def address_hash(email: str) -> str:
    """A keyed hash of a mailbox: the same for Ana@Example.org, "ana"@example.org, ana+x@..."""
    return salted_hmac(_ADDRESS_SALT, mailbox(email), algorithm="sha256").hexdigest()
