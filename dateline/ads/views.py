"""The public side: /ads/pick (which ad a slot shows), /ads/click (counted, then redirected)
and /ads/frame (a placement's third-party tag, sandboxed on no origin of ours)."""

import re

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from dateline.base.hashes import sender_hash
from dateline.base.ratelimits import RateLimit
from dateline.readership.counting import count
from dateline.readership.robots import is_robot

from . import choice
from .mail_links import from_mail
from .slots import SLOTS

_LONGEST_QUERY = 600
_MOST_TAGS = 30
_ID = re.compile(r"[1-9][0-9]{0,17}")  # below 2**63: any database's bigint
_NOT_KEPT = "no-store"


def _refuse(why: str) -> HttpResponseBadRequest:
    response = HttpResponseBadRequest(why, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = _NOT_KEPT
    return response


def _ids(text: str) -> list[int] | None:
    found = [t for t in text.split(",") if t] if text else []
    if len(found) > _MOST_TAGS or not all(_ID.fullmatch(t) for t in found):
        return None
    return [int(t) for t in found]


@require_safe
def pick(request: HttpRequest) -> HttpResponse:
    """JSON for the page script: the slot's creative, its frame, or nothing to show.

    Asked by every page view, cached pages included, so ads rotate on pages the page cache
    serves; never kept by the page cache or a CDN itself.
    """
    if len(request.META.get("QUERY_STRING", "")) > _LONGEST_QUERY:
        return _refuse("The query is too long.")
    slot = request.GET.get("slot", "")
    if slot not in SLOTS:
        return _refuse(f"slot must be one of: {', '.join(SLOTS)}.")
    section = _ids(request.GET.get("section", ""))
    tags = _ids(request.GET.get("tags", ""))
    if section is None or len(section) > 1 or tags is None:
        return _refuse("section is one id; tags are at most 30 ids separated by commas.")
    answer: dict = {"slot": slot, "ad": None}
    placement = choice.placement(slot)
    if placement is not None and placement.third_party_tag:
        answer["frame"] = reverse("ads:frame", args=[slot])
        answer.update(width=placement.size.width, height=placement.size.height)
    elif placement is not None:
        chosen = choice.pick(slot, section[0] if section else None, frozenset(tags))
        if chosen is not None:
            answer["ad"] = {"campaign": chosen.pk, "html": chosen.html,
                            "impression": f"/r/{choice.IMPRESSION}/{chosen.pk}"}
    response = JsonResponse(answer)
    response["Cache-Control"] = _NOT_KEPT
    return response


@require_safe
def click(request: HttpRequest, pk: str) -> HttpResponse:
    """Count the click (not a robot's, not a HEAD) and send the reader to the advertiser."""
    if not _ID.fullmatch(pk):
        raise Http404("No such campaign.")
    found = next((c for c in choice.table().candidates if c.pk == int(pk)), None)
    running = found is not None and found.running(timezone.now())
    if found:
        link = found.link
    else:  # not in this process's table: made since it was read, or not running
        campaigns = choice.Campaign.objects.filter(pk=int(pk))
        link = campaigns.values_list("link", flat=True).first()
        running = campaigns.running().exists()
    if link is None:
        raise Http404("No such campaign.")
    # A paused or ended campaign's ad, on a page a reader opened before, still takes them
    # where it said, but bills nobody: its clicks were counted as long as anyone followed it.
    # A sender's repeats count a few times a window: a loop of GETs billed the advertiser for
    # every one. Counted in the store every worker shares (views' repeats are counted in each
    # process's memory, for the beacon's speed: a bill may not double with the workers).
    mailed = from_mail(int(pk), request.GET.get("mail"))
    if (running and request.method == "GET" and reader_followed(request.headers, mailed)
            and not is_robot(request.headers.get("User-Agent", ""))
            and _click_repeats().count(f"{sender_hash(request)}:{pk}") is None):
        count(choice.CLICK, pk)
    response = HttpResponseRedirect(link)
    response["Cache-Control"] = _NOT_KEPT
    response["Referrer-Policy"] = "no-referrer"  # the advertiser learns no story a reader read
    return response


def reader_followed(headers, mailed: bool = False) -> bool:
    """Whether the request is a reader following the ad's link on one of our pages, as the
    browser says (Fetch Metadata): an `<img src="/ads/click/2">` in a creative or on another
    site made every reader's browser "click" any campaign. The newsletter's signed link
    (`mail_links`) is followed from webmail (another site) or a mail program (no site): a
    reader's own navigation from either counts too. A browser too old to say is taken at its
    word, as before."""
    mode = headers.get("Sec-Fetch-Mode")
    if mode is None:
        return True
    sites = ("same-origin", "same-site", "cross-site", "none") if mailed else (
        "same-origin", "same-site")
    return (mode == "navigate" and headers.get("Sec-Fetch-Dest") == "document"
            and headers.get("Sec-Fetch-Site") in sites
            and headers.get("Sec-Fetch-User") == "?1")


def _click_repeats() -> RateLimit:
    return RateLimit("ads.click", settings.DATELINE_READERSHIP_REPEATS,
                     settings.DATELINE_READERSHIP_REPEAT_SECONDS)


# The frame is sandboxed twice: by the iframe's sandbox attribute and by its own CSP's
# `sandbox` (so even opened alone it runs on an opaque origin: no cookies, storage or DOM of
# ours). Without allow-same-origin, allow-top-navigation or forms. Scripts and styles of the
# tag may be inline (ad tags are); they load only from the origins the desk allowed.
_FRAME_SANDBOX = "sandbox allow-scripts allow-popups allow-popups-to-escape-sandbox"
_FRAME_SOURCES = {"script-src": "'unsafe-inline'", "style-src": "'unsafe-inline'",
                  "img-src": "data:", "frame-src": "", "connect-src": "", "font-src": "",
                  "media-src": ""}
_FRAME_FIXED = ("default-src 'none'", "form-action 'none'", "base-uri 'none'",
                "frame-ancestors 'self'")


def frame_policy(origins: list[str]) -> str:
    """The frame's own CSP: the tag's allowed origins and nothing of ours."""
    directives = [_FRAME_SANDBOX, *_FRAME_FIXED[:1]]
    for name, own in _FRAME_SOURCES.items():
        sources = " ".join(filter(None, [own, *origins])) or "'none'"
        directives.append(f"{name} {sources}")
    return "; ".join([*directives, *_FRAME_FIXED[1:]])


_FRAME_PAGE = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
               "<title>Advertisement</title><style>html,body{{margin:0;overflow:hidden}}"
               "</style></head><body>{tag}</body></html>")


@require_safe
@xframe_options_sameorigin
def frame(request: HttpRequest, slot: str) -> HttpResponse:
    found = choice.placement(slot)
    if found is None or not found.third_party_tag:
        raise Http404("This slot holds no third-party tag.")
    response = HttpResponse(_FRAME_PAGE.format(tag=found.third_party_tag))
    response["Content-Security-Policy"] = frame_policy(found.origins())
    response["Cache-Control"] = _NOT_KEPT
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
