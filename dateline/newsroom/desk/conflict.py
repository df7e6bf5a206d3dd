"""A refused save, shown field by field beside the stored version, and the editor's choices.

When a save is based on an older version, the form shows, for every field where the editor's
text and the stored one differ, a word diff and a choice: keep mine or take theirs. A field the
editor left as it was at their base version, but someone else changed, starts on "theirs", so
saving again right away keeps the other editor's change. A field both changed starts on no
choice: saving again without looking would drop one editor's words, so the save is refused
until one is made. The next save applies the choices (server-side: "theirs" takes the stored
value), if no further save landed meanwhile.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model

from ..diff import readable_text, word_diff
from ..merge import merge
from ..models import Article, Revision

CHOICE_PREFIX = "conflict-"
MERGED_PREFIX = "conflict-merged-"
# Names the fields both editors changed, whose choice the panel asks for before saving.
NEEDED = "conflict-needed"


def compared_fields(form) -> list[str]:
    """The form's editable fields that are its model's own (the article's, for the story
    form; seen.py compares the desk's other forms by the same rule)."""
    names = []
    for name, field in form.fields.items():
        if field.disabled:
            continue
        try:
            form._meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        names.append(name)
    return names


def stored_value(article: Article, name: str):
    if Article._meta.get_field(name).many_to_many:
        return list(getattr(article, name).all())
    return getattr(article, name)


def shown(name: str, value) -> str:
    """A value as words an editor reads, the same for a posted and a stored value."""
    if value is None:
        return ""
    if isinstance(value, Model):
        # Names as revisions record them: a section's path, a tag's name without its kind.
        return str(getattr(value, "display_path", None) or getattr(value, "name", value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return readable_text(value) if name == "body" else value
    if hasattr(value, "__iter__"):
        return ", ".join(sorted(shown(name, v) for v in value))
    return str(value)


def _at_base(revision: Revision | None, name: str) -> str | None:
    """The field as it was at the editor's base version, where the revision recorded it."""
    if revision is None:
        return None
    if name in ("headline", "standfirst"):
        return getattr(revision, name)
    if name == "body":
        return readable_text(revision.body)
    if name in revision.metadata:
        value = revision.metadata[name]
        if isinstance(value, list):
            return ", ".join(sorted(map(str, value)))
        return shown(name, value)
    return None


def conflict_rows(form, current: Article, base_version: int | None) -> list[dict]:
    """Each field where the refused text differs from the stored one, with a starting choice."""
    base = None
    if base_version:
        base = (current.revisions.filter(version=base_version)
                .exclude(kind=Revision.Kind.REFUSED).first())
    rows = []
    for name in compared_fields(form):
        if name in form.cleaned_data:
            mine = shown(name, form.cleaned_data[name])
        else:  # the editor's value did not validate: show it as typed
            mine = shown(name, form.data.get(name, ""))
        theirs = shown(name, stored_value(current, name))
        if mine == theirs:
            continue
        before = _at_base(base, name)
        unchanged_by_me = before is not None and mine == before
        # Without the field as the editor opened it (a story no save recorded: a monitor's
        # draft, an import) nobody can tell whose change a difference is: starting on "mine"
        # put back the old text over every field the other editor fixed, on one Save.
        changed_by_both = not unchanged_by_me and (before is None or theirs != before)
        merged = _both(form, name, base, current) if not unchanged_by_me else None
        choice = ("both" if merged else "theirs" if unchanged_by_me
                  else None if changed_by_both else "mine")
        rows.append({
            "name": name,
            "choice_name": CHOICE_PREFIX + name,
            "label": form.fields[name].label or name.replace("_", " ").capitalize(),
            "diff": word_diff(theirs, mine),
            "choice": choice,
            "needs_choice": choice is None,
            # A one-line or plain-text box, or the body editor: editor.js can show their text
            # in it, for a merge by hand; pickers keep the editor's value.
            "theirs_text": _plain_text(form, name, current),
            "merged": merged,
            "merged_name": MERGED_PREFIX + name,
        })
    return rows


def _both(form, name: str, base: Revision | None, current: Article) -> str | None:
    """The body with the editor's changes and the other's, where they changed different
    blocks of the version the editor opened (`merge.merge`)."""
    if name != "body" or base is None:
        return None
    mine = form.cleaned_data.get("body", form.data.get("body", ""))
    if mine == base.body or current.body == base.body:
        return None  # one side's text only: "mine" or "theirs" says it
    return merge(base.body, mine, current.body)


def _plain_text(form, name: str, current: Article) -> str | None:
    """Their value for a text box, which editor.js can show in it: the body's is its HTML, for
    the body editor; None for pickers and other widgets, which keep the editor's value."""
    widget = form.fields[name].widget
    if name == "body":
        return current.body
    if not isinstance(widget, (forms.TextInput, forms.Textarea)):
        return None
    value = getattr(current, name)
    return "" if value is None else str(value)


def unchosen(form) -> list[str]:
    """The fields both editors changed that the panel asked a choice for and got none."""
    asked = form.data.getlist(NEEDED) if hasattr(form.data, "getlist") else []
    return [name for name in asked
            if name in form.fields and not form.data.get(CHOICE_PREFIX + name)]


def rows_again(form, current: Article, base_version: int) -> list[dict]:
    """The panel as it was shown, with the choices the editor did make kept."""
    rows = conflict_rows(form, current, base_version)
    for row in rows:
        posted = form.data.get(row["choice_name"])
        if posted in ("mine", "theirs", "both"):
            row["choice"] = posted
    return rows


def apply_choices(form, cleaned: dict, current: Article) -> list[str]:
    """Give the fields the editor chose "theirs" for the stored values; their names."""
    taken = []
    for name in compared_fields(form):
        choice = form.data.get(CHOICE_PREFIX + name)
        if choice == "theirs":
            cleaned[name] = stored_value(current, name)
            taken.append(name)
        elif choice == "both" and form.data.get(MERGED_PREFIX + name):
            # Both editors' changes, as the panel showed them (the editor's browser put the
            # same text in the body editor; typing in it after makes the choice "mine").
            cleaned[name] = form.fields[name].clean(form.data[MERGED_PREFIX + name])
            taken.append(name)
    return taken
