"""Who is asking (an active partner's API key) and whether they may ask again this minute."""

from datetime import timedelta

from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from dateline.base.ratelimits import RateLimit

from ..models import ApiKey, hash_token
from .errors import error

RATE_WINDOW = 60  # seconds; ApiKey.rate_limit is per minute (a window of its own per key)
# Stamping last_used_at on every request would make every read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
CHALLENGE = 'Bearer realm="Dateline wire API"'


def token_from(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-Api-Key", "").strip() or None


def authenticate(request: HttpRequest) -> ApiKey | JsonResponse:
    """The request's API key, or the 401 to answer."""
    token = token_from(request)
    if token is None:
        return error(401, "Send your API key as 'Authorization: Bearer <token>' "
                     "(or in an X-Api-Key header).", WWW_Authenticate=CHALLENGE)
    key = (
        ApiKey.objects.select_related("partner")
        .filter(secret_hash=hash_token(token), active=True, partner__active=True)
        .first()
    )
    if key is None:
        return error(401, "This API key is unknown or was revoked; ask the desk for a new one.",
                     WWW_Authenticate=f'{CHALLENGE}, error="invalid_token"')
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def throttle(key: ApiKey) -> JsonResponse | None:
    """A 429 when the key has used up this minute's requests, else None (and count this one)."""
    refusal = RateLimit("api-key", key.rate_limit, RATE_WINDOW).count(str(key.pk))
    if refusal is None:
        return None
    return error(429, f"This key may make {key.rate_limit} requests a minute; "
                 f"try again in {refusal.retry_after} s.", Retry_After=str(refusal.retry_after))
