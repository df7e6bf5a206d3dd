"""Which ninjs generation a request gets: ?version=, else an Accept profile, else the
partner's default (set in the desk), else the newest."""

from django.http import HttpRequest
from django.utils.http import MAX_HEADER_LENGTH

from ..formatters.ninjs import schema_id
from ..models import NINJS_VERSIONS

# Exact versions and their formatters' names; a major version alone means its newest.
FORMATTERS = {version: "ninjs" + version.replace(".", "") for version in NINJS_VERSIONS}
NEWEST = {"1": "1.6", "2": "2.1", "3": "3.1"}
CHOICES = sorted([*FORMATTERS, *NEWEST])
# IPTC's schema $ids, the profiles a client may name in Accept (http or https, # or not).
PROFILES = {schema_id(version).rstrip("#"): version for version in FORMATTERS}


class UnknownVersion(ValueError):
    pass


class NotAcceptable(ValueError):
    pass


def chosen(request: HttpRequest, partner_default: str) -> str:
    """The exact version ("1.6") to answer in; UnknownVersion or NotAcceptable else."""
    asked = request.GET.get("version")
    if asked is not None:
        version = NEWEST.get(asked, asked)
        if version not in FORMATTERS:
            raise UnknownVersion(f"'version' is one of {', '.join(CHOICES)} (a major version "
                                 f"alone is its newest), not {asked!r}.")
        return version
    return from_accept(request) or partner_default


def from_accept(request: HttpRequest) -> str | None:
    """The best-ranked ninjs profile of the Accept header that is served here, if any."""
    named = []
    try:
        accepted = request.accepted_types
    except ValueError as exc:  # Django reads no header past MAX_HEADER_LENGTH (a 500 before)
        raise UnknownVersion(f"The Accept header is longer than {MAX_HEADER_LENGTH:,} "
                             "characters: send a shorter one.") from exc
    for media_type in accepted:  # best first
        if not media_type.match("application/json"):
            continue
        profiles = media_type.params.get("profile", "").split()  # RFC 6906: a list
        if not profiles:
            return None  # JSON without a profile is as welcome: the partner's default
        for profile in profiles:
            version = PROFILES.get(normalised(profile))
            if version:
                return version
        named.extend(profiles)
    if named:
        raise NotAcceptable(f"No ninjs version here has the profile {named[0]!r}; name one of "
                            f"{', '.join(sorted(PROFILES))}, or leave the profile out.")
    return None


def normalised(profile: str) -> str:
    return profile.strip().rstrip("#").replace("https://", "http://", 1)
