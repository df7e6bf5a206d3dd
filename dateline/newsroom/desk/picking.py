"""Pick-or-create fields: tags, sources and authors are found or made by typing, no pop-ups.

The browser (desk/picking.js) sends a chosen item as its primary key and a typed new one as
"new:Name", so a tag named "2024" is never taken for the item whose key is 2024. A new name
matching an existing one case-insensitively picks that one; otherwise the item is created
when the article is saved (not when the form is checked, so a refused save creates nothing),
and only for an account allowed to add that model.
"""

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.text import slugify

from ..html import as_meant
from ..models import Tag
from .keys import AutocompleteSelectMultiple, KnownKeysMultipleChoiceField

NEW = "new:"
MAX_NEW = 20  # new names per field and save: a story's worth, not a bulk import


def unwrapped(widget: forms.Widget) -> forms.Widget:
    """The admin's widget without its "+"/edit pop-up links around it."""
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def tag_kind_and_name(typed: str) -> tuple[str, str]:
    """ "place: Sofia" is a place; anything else is a topic named as typed."""
    prefix, colon, rest = typed.partition(":")
    if colon and prefix.strip().lower() in Tag.Kind.values and rest.strip():
        return prefix.strip().lower(), rest.strip()
    return Tag.Kind.TOPIC, typed


class PickOrCreateWidget(AutocompleteSelectMultiple):
    """The admin's select2 autocomplete, started by picking.js with "create on Enter"."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        # Not "admin-autocomplete": the admin's script would start select2 without creation.
        attrs["class"] = attrs["class"].replace("admin-autocomplete", "pick-create").strip()
        attrs["data-create-prefix"] = NEW
        return attrs

    def optgroups(self, name, value, attr=None):
        # A form shown again (after an error) keeps the typed new names selected.
        picked = [v for v in value if not str(v).startswith(NEW)]
        groups = super().optgroups(name, picked, attr)
        options = groups[0][1]
        for typed in (v for v in value if str(v).startswith(NEW)):
            label = f"{typed[len(NEW):]} (new)"
            options.append(self.create_option(name, typed, label, True, len(options)))
        return groups

    @property
    def media(self):
        # One list, so that merging with other widgets' media keeps picking.js after select2.
        admin = super().media
        return forms.Media(js=[*admin._js, "desk/picking.js"], css=admin._css)


class PickOrCreateField(KnownKeysMultipleChoiceField):
    """Existing items by key, new ones by "new:Name": cleans to a list of model instances,
    the new ones unsaved until `save_new` (called by the form when the article is saved)."""

    def __init__(self, queryset, *, user=None, **kwargs) -> None:
        super().__init__(queryset, **kwargs)
        self.user = user
        self.model = queryset.model
        self.max_name = self.model._meta.get_field("name").max_length
        # picking.js offers "… (new)" only to an account that may create one: a reporter was
        # offered new sources, took them, and had the save refused.
        self.widget.attrs["data-may-create"] = "1" if self.may_create() else "0"
        if not self.may_create():  # "press Enter to add a new one" told them what they cannot
            plural = self.model._meta.verbose_name_plural
            self.help_text = (f"Type to find one of the {plural} there are; your role picks "
                              f"from them, and an editor adds new {plural}.")
            # select2 said "No results found" to a name typed that is not one yet.
            self.widget.attrs["data-no-results"] = (
                f"No {self.model._meta.verbose_name} of that name: an editor adds new {plural}.")

    def may_create(self) -> bool:
        opts = self.model._meta
        return bool(self.user and self.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"))

    def clean(self, value):
        value = self.prepare_value(value) or []
        typed = [str(v)[len(NEW):].strip() for v in value if str(v).startswith(NEW)]
        keys = [v for v in value if not str(v).startswith(NEW)]
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(typed) > MAX_NEW:
            raise forms.ValidationError(
                f"At most {MAX_NEW} new names at once ({len(typed)} typed).", code="too_many"
            )
        picked = list(self._check_values(keys)) if keys else []
        refused = []
        for name in typed:
            item = self._find_or_build(name)
            if item is None:
                refused.append(name)
            elif item not in picked:
                picked.append(item)
        if refused:
            opts = self.model._meta
            names = ", ".join(f"“{name}”" for name in refused)
            raise forms.ValidationError(
                f"{names} {'is' if len(refused) == 1 else 'are'} not "
                f"{'a ' + opts.verbose_name if len(refused) == 1 else opts.verbose_name_plural} "
                f"yet, and your role cannot create {opts.verbose_name_plural}: pick existing "
                "ones, or ask an editor.", code="no_add_permission")
        self.run_validators(picked)
        return picked

    def _find_or_build(self, typed: str):
        """The item of that name, a new one to create, or None where the account may not."""
        noun = self.model._meta.verbose_name
        kind, name = tag_kind_and_name(typed) if self.model is Tag else (None, typed)
        # Looked up as it will be stored (composed, no control characters): "Zoe" and a
        # combining diaeresis, as macOS and PDFs give it, made another "Zoë" at each save.
        name = as_meant(name).strip()
        if not name:
            raise forms.ValidationError(f"A new {noun} needs a name.", code="blank")
        if len(name) > self.max_name:
            raise forms.ValidationError(
                f"A {noun} name has at most {self.max_name} characters ({len(name)} typed).",
                code="too_long",
            )
        found = self._existing(name, kind)
        if found is not None:
            return found
        if not self.may_create():
            return None  # named with the others the account may not create
        return self.model(name=name, kind=kind) if kind else self.model(name=name)

    def _existing(self, name: str, kind: str | None):
        matches = self.model.objects.filter(name__iexact=name)
        if kind is None:
            return matches.first()
        # "Sofia" typed as a topic also finds the place Sofia; "place:Sofia" only a place.
        return matches.filter(kind=kind).first() or (
            matches.first() if kind == Tag.Kind.TOPIC else None
        )

    def save_new(self, items: list) -> None:
        """Create the new items among `items` in place (once, whoever raced us to it)."""
        for index, item in enumerate(items):
            if item.pk is not None:
                continue
            existing = self._existing(item.name, getattr(item, "kind", None))
            if existing is not None:
                items[index] = existing
                continue
            item.slug = self._free_slug(item)
            item.save()

    def _free_slug(self, item) -> str:
        base = slugify(item.name, allow_unicode=True)[:140] or self.model._meta.model_name
        same_space = self.model.objects.all()
        if self.model is Tag:  # tag slugs are unique per kind
            same_space = same_space.filter(kind=item.kind)
        slug, n = base, 1
        while same_space.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug
