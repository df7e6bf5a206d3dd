"""Unsaved text, kept while an editor types and given back when they open the story again.

The browser posts the whole form every few seconds when it changed, and once more as the page
goes away; one row per editor and story (or per editor for a story not yet created) holds it.
A real save deletes the row. Opening the story with a row there puts its text back in the form.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse, QueryDict
from django.utils import timezone

from ..models import Article, Autosave
from ..permissions import can_edit
from .json_post import json_post, refuse
from .states import GONE_OUT

MAX_FIELDS = 200
# Where a kept draft names the page that kept it (not a form field: never put back in one).
PAGE = "_page"


def _clean_data(data) -> dict[str, list[str]] | None:
    """The form as {field name: [values]}, or None if it is not shaped like one."""
    if not isinstance(data, dict) or len(data) > MAX_FIELDS:
        return None
    clean = {}
    for name, values in data.items():
        if isinstance(values, str):
            values = [values]
        if not (isinstance(name, str) and isinstance(values, list)
                and all(isinstance(v, str) for v in values)):
            return None
        clean[name] = values
    return clean


@json_post
def store(request: HttpRequest, payload: dict, pk: int | None = None) -> JsonResponse:
    """Keep (or, with {"discard": true}, drop) this editor's unsaved text of a story."""
    article = None
    if pk is not None:
        article = Article.objects.only("pk", "status", "version").filter(pk=pk).first()
        if article is None:
            # Said so ("No such article" read as a hiccup of the draft copy): the page's Save
            # then keeps the text as a new story (ArticleAdmin._keep_text_of_deleted).
            return refuse(410, "this story was deleted meanwhile. Your text is still on this "
                               "page: press Save to keep it as a new story")
        if not can_edit(request.user, article):
            raise PermissionDenied("Your role does not allow you to edit this article now.")
    elif not request.user.has_perm("newsroom.add_article"):
        raise PermissionDenied("Your role does not allow you to write articles.")
    mine = Autosave.objects.filter(article=article, user=request.user)
    if payload.get("discard") is True:
        mine.delete()
        return JsonResponse({"ok": True, "discarded": True})
    data = _clean_data(payload.get("data"))
    base = payload.get("base_version", 0)
    if (data is None or not isinstance(base, int) or isinstance(base, bool)
            or not 0 <= base <= Article.HIGHEST_VERSION):
        return refuse(400, "Send {base_version: number, data: {field: [values]}}.")
    page = payload.get("page")
    if isinstance(page, str) and 0 < len(page) <= 64:
        data[PAGE] = [page]  # which page kept it (editor.js): another page's save keeps it
    values = {"base_version": base, "data": data}
    try:
        with transaction.atomic():
            kept, _ = mine.update_or_create(defaults=values, article=article, user=request.user)
    except IntegrityError:  # the same editor's other request created the row first
        mine.update(**values, saved_at=timezone.now())
        kept = mine.get()
    return JsonResponse({"ok": True, "saved_at": _clock(kept)})


def _clock(autosave: Autosave) -> str:
    # With the zone's name: an editor abroad read the site's clock as their own.
    return timezone.localtime(autosave.saved_at).strftime("%H:%M:%S %Z")


def kept_for(user, article: Article | None) -> Autosave | None:
    return Autosave.objects.filter(article=article, user=user).first()


def page_of(kept: Autosave) -> str:
    return (kept.data.get(PAGE) or [""])[0]


def forget(user, article: Article | None, page: str = "") -> None:
    """The text is saved for real: its draft copy has done its job. Unless another page of
    the same editor kept it (`page`: the saving page's key): their second tab's text, typed
    and not saved, which that tab said was kept and which the next opening offers back."""
    for kept in Autosave.objects.filter(article=article, user=user):
        if not page or page_of(kept) in ("", page):
            kept.delete()


def keep_resent(request: HttpRequest, article: Article, changed: list[str],
                base_version: int = 1) -> bool:
    """An "Add article" page sent again after its first save made `article` (Save pressed
    again, with changed text, while the first save was on its way): what it changes is kept
    as this editor's unsaved text of the story, which its page opens with, instead of being
    dropped. False when it changes nothing."""
    if not changed:
        return False
    data = {name: request.POST.getlist(name) for name in changed}
    # Based on the story as the page showed it (for an add page, as its first save made it):
    # a save since is shown to merge.
    Autosave.objects.update_or_create(article=article, user=request.user,
                                      defaults={"base_version": base_version, "data": data})
    return True


def forget_add_page(user, key: str) -> None:
    """The kept text of the "Add article" page with this one-time key: that page's story was
    made, so the next "Add article" must not open with it."""
    kept = kept_for(user, None)
    if kept is not None and kept.data.get("add_key") == [key]:
        kept.delete()


def initial_from(autosave: Autosave, fields: dict) -> dict:
    """The form's initial values from the kept text, read the way each widget reads a post."""
    posted = QueryDict(mutable=True)
    for name, values in autosave.data.items():
        posted.setlist(name, values)
    initial = {
        name: field.widget.value_from_datadict(posted, {}, name)
        for name, field in fields.items()
        # Never the add page's one-time key: the page showing the text has its own (kept text
        # from a page already saved would otherwise lead the next save to that story).
        if name in posted and not field.disabled
        and name not in {"base_version", "add_key", "opened_status", "opened_live"}
    }
    initial["base_version"] = autosave.base_version
    # The story's state when the text was typed, as its page had it: the form's checks then
    # hold a save after a colleague published the story since (drawn from the story now, the
    # text typed on a draft went out with one Save).
    for name in ("opened_status", "opened_live"):
        if posted.get(name):
            initial[name] = posted.get(name)
    return initial


def offer(autosave: Autosave) -> dict:
    """What a new story's page says of the text left on an earlier one: when, and its
    headline."""
    headline = (autosave.data.get("headline") or [""])[0].strip()
    return {"clock": _clock(autosave), "headline": headline[:120]}


def restore_note(autosave: Autosave, article: Article | None) -> str:
    note = f"Unsaved text from {_clock(autosave)} restored"
    if article is not None and autosave.base_version < article.version:
        note += (": the story has been saved since, so your save will show both versions "
                 "to merge")
    typed_on = (autosave.data.get("opened_status") or [""])[0]
    if article is not None and typed_on and typed_on != article.status and (
            article.status in GONE_OUT):
        note += (f". It was typed while the story was {Article.Status(typed_on).label.lower()}"
                 if typed_on in Article.Status.values else ". It was typed before")
        note += (f"; the story is {article.get_status_display().lower()} now, so your first "
                 "save is held for you to read it again")
    return note + "."
