"""A desk form's save applies the editor's changes to the row as it is now, not as they saw it.

The story form has versions and a merge panel (conflict.py). The desk's other forms (a photo's
caption, a tag, a section, a feed, an edition's table, the press review's summaries) saved what
the page posted, every field of it: a colleague's correction saved since the page was opened
was put back to the old text, silently, by a save that never touched that field.

A form with `SeenState` carries, in a hidden field, a digest of each field's value as the page
showed it. At the save, field by field:

- nobody else changed it: the editor's value, as before;
- someone else changed it, the editor did not: theirs is kept (the posted, older value is not
  written back);
- both changed it, to different values: the save is refused, naming the field and what it
  holds now; the form then carries the current digests, so saving again is a decision to
  replace theirs.
"""

import hashlib
import json
from datetime import UTC, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.boundfield import BoundField
from django.utils import timezone

from dateline.base.graphemes import clipped

from .conflict import compared_fields

FIELD = "seen_state"


def _digest(value) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # The same moment read from the database (UTC) and from the form (the desk's zone,
        # whole seconds) is one value.
        value = value.astimezone(UTC).replace(microsecond=0)
    elif isinstance(value, str):
        # A browser posts a textarea's lines with CRLF: text stored with LF (an import, a
        # photo's IPTC caption) came back "changed" from a page that never touched it.
        value = "\n".join(value.splitlines()).strip()
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


def digests(values: dict) -> str:
    """The hidden field's value for these {field name: model value} (an edition's board sends
    its table's rows new ones after a move)."""
    return json.dumps({name: _digest(value) for name, value in values.items()})


def _shown(field: models.Field, value) -> str:
    """The value as the form shows it: a choice's label, a moment in the desk's zone."""
    if field.is_relation and value:
        ids = value if isinstance(value, list) else [value]
        value = [str(o) for o in field.related_model._default_manager.filter(pk__in=ids)]
    elif field.choices:
        value = dict(field.flatchoices).get(value, value)
    elif isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text if len(text) <= 120 else clipped(text, 119) + "\u2026"


class _ShowsKept(BoundField):
    """A field the save kept from a colleague shows their value when the form comes back
    (refused, or wrong elsewhere): it showed the editor's old one, as if theirs were gone."""

    def value(self):
        kept = self.form.kept_from_colleague
        if self.name in kept:
            return self.field.prepare_value(kept[self.name])
        return super().value()


class SeenState(forms.ModelForm):
    """Mix into a ModelForm (before it); the hidden field must be rendered with the form
    (fieldsets: `SeenStateAdmin` adds it; a plain template: `{{ form.seen_state }}`)."""

    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)
    bound_field_class = _ShowsKept

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The form's editable fields that are the model's own, by the story form's rule.
        self._compared = {name: self._meta.model._meta.get_field(name)
                          for name in compared_fields(self)}
        self._stored = self._values() if self.instance.pk else {}
        self.kept_from_colleague: dict = {}
        self.fields[FIELD].initial = digests(self._stored)

    def _values(self) -> dict:
        """The model's value of each of the form's fields (a many-to-many's as sorted ids)."""
        values = {}
        for name, field in self._compared.items():
            if field.many_to_many:
                values[name] = sorted(getattr(self.instance, name).values_list("pk", flat=True))
            elif isinstance(field, models.FileField):
                values[name] = getattr(self.instance, field.attname).name
            elif field.concrete:
                values[name] = getattr(self.instance, field.attname)
        return values

    def _seen(self) -> dict[str, str] | None:
        raw = self.data.get(self.add_prefix(FIELD)) if self.is_bound else None
        if not raw or len(raw) > 50_000:  # a form's digests are a few hundred characters
            return None
        try:
            seen = json.loads(raw)
        except (ValueError, RecursionError):
            return None
        if not isinstance(seen, dict):
            return None
        return {name: digest for name, digest in seen.items() if isinstance(digest, str)}

    def _posted(self, name: str, field: models.Field):
        if field.many_to_many:
            return sorted(item.pk for item in self.cleaned_data.get(name) or [])
        if isinstance(field, models.FileField):
            return getattr(self.instance, field.attname).name
        return getattr(self.instance, field.attname)

    def _post_clean(self) -> None:
        super()._post_clean()  # the instance now holds the posted values
        seen = self._seen()
        if not self.instance.pk or seen is None:
            return  # a page drawn before the field, or a new row: as posted
        theirs, carried = [], dict(seen)
        for name, field in self._compared.items():
            if name not in self.cleaned_data or name not in self._stored or name not in seen:
                continue  # nothing known of what the page showed: as posted
            stored = self._stored[name]
            posted = self._posted(name, field)
            now, mine = _digest(stored), _digest(posted)
            if mine == now and posted != stored:
                # The same text but for what a browser does to it (CRLF line ends): the
                # stored bytes stay, so exports and diffs see no change where there was none.
                self._keep_stored(name, field, stored)
                continue
            if seen[name] == now:
                continue  # nobody else changed it
            if mine == seen[name]:
                self._keep_stored(name, field, stored)
                if not isinstance(field, models.FileField):
                    # Shown again as it is now, and judged against that on the next save.
                    self.kept_from_colleague[name] = stored
                    carried[name] = now
            elif mine != now:
                label = str(self.fields[name].label or field.verbose_name)
                theirs.append(f"{label[:1].upper()}{label[1:]} (now "
                              f"\u201c{_shown(field, stored)}\u201d)")
                # Saving again replaces theirs in this field only: the others keep what the
                # page first showed, so a colleague's change to them still stands.
                carried[name] = now
        if theirs or self.kept_from_colleague:
            data = self.data.copy()
            data[self.add_prefix(FIELD)] = json.dumps(carried)
            self.data = data
        if theirs:
            self.add_error(None, ValidationError(
                "Someone saved a change to this since you opened it, in the same field as "
                "yours: %(fields)s. Nothing was saved. Save again to replace theirs with "
                "yours, or reload the page to see theirs.",
                code="changed_since", params={"fields": "; ".join(theirs)}))

    def _keep_stored(self, name: str, field: models.Field, stored) -> None:
        """The editor left it as they saw it: what someone else saved since stays."""
        if field.many_to_many:
            self.cleaned_data[name] = field.related_model._default_manager.filter(pk__in=stored)
        else:
            setattr(self.instance, field.attname, stored)
            # Read by the formset's own checks after this (an edition's one lead story).
            self.cleaned_data[name] = getattr(self.instance, field.name)


def with_seen_state(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    if issubclass(form_class, SeenState):
        return form_class
    return type(f"Seen{form_class.__name__}", (SeenState, form_class), {})


class SeenStateAdmin:
    """A ModelAdmin or inline whose change form is `SeenState`."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = with_seen_state(kwargs.get("form", self.form))
        return super().get_form(request, obj, change, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = with_seen_state(kwargs.get("form", self.form))
        return super().get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None or not fieldsets:
            return fieldsets
        name, options = fieldsets[-1]
        fields = list(options.get("fields", ()))
        if FIELD not in fields:
            fieldsets[-1] = (name, {**options, "fields": [*fields, FIELD]})
        return fieldsets
