"""Who sent a report, as far as the newsroom needs to know: keyed hashes, never addresses."""

from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from dateline.base.clients import client_network, mailbox

# Different salts: the hash of an IP and the hash of an e-mail address cannot be compared.
_SENDER_SALT = "dateline.submissions.sender"
_ADDRESS_SALT = "dateline.submissions.address"

# The network a sender counts by (kept here under its old name for the desk and the tests).
sender_network = client_network


def sender_hash(request: HttpRequest) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of the sender's network: 64 hex digits."""
    return salted_hmac(_SENDER_SALT, client_network(request), algorithm="sha256").hexdigest()


def address_hash(email: str) -> str:
    """A keyed hash of a mailbox: the same for Ana@Example.org, "ana"@example.org, ana+x@..."""
    return salted_hmac(_ADDRESS_SALT, mailbox(email), algorithm="sha256").hexdigest()
