"""Keys a desk form was sent, checked before the database sees them.

Django's admin hands two kinds of sent key to the database unchecked, and both ended in a
500 (found by posting odd values to every desk form):
- the autocomplete widget looks up the values a refused form was sent, to show them as
  chosen again, with no check that they are keys at all (`section=x`), where a plain
  <select> simply shows nothing chosen;
- a many-to-many field checks its keys with one `IN` query, and a whole number wider than
  any column (`tags=99999999999999999999`) cannot be bound by SQLite (OverflowError).
`KeysCheckedAdmin` gives a ModelAdmin or inline widgets that leave such values out of the
lookup and many-to-many fields that refuse them as invalid keys, in the form's own words.
Every desk admin with `autocomplete_fields` or a many-to-many field takes it (held to it by
tests/newsroom/test_desk_addresses.py).
"""

from django import forms
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError

from dateline.base.numbers import WIDEST, too_wide


def could_be_key(field, value) -> bool:
    """Whether `value`, as sent, could be a key in `field` (a primary or target field)."""
    try:
        key = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return (not isinstance(key, int) or abs(key) <= WIDEST) and "\x00" not in str(value)


class KnownKeysOnly:
    """Look up only the sent values that could be keys of the related model."""

    def optgroups(self, name, value, attr=None):
        keys = [v for v in value if could_be_key(self.field.target_field, v)]
        return super().optgroups(name, keys, attr)


class AutocompleteSelect(KnownKeysOnly, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(KnownKeysOnly, widgets.AutocompleteSelectMultiple):
    pass


class KnownKeysMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuse a key wider than any column as an invalid one, before the `IN` query."""

    def _check_values(self, value):
        if wide := next((v for v in value if too_wide(str(v))), None):
            raise ValidationError(self.error_messages["invalid_pk_value"],
                                  code="invalid_pk_value", params={"pk": wide})
        return super()._check_values(value)


# Django's words ("Select a valid choice. 411 is not one of the available choices.") for
# what is, on the desk, nearly always a row deleted since the page was opened.
GONE = ("No. %(value)s is not among the choices any more: deleted since this page was "
        "opened? Choose again.")
GONE_ONE = ("The choice made here is not among the choices any more: deleted since this page "
            "was opened? Choose again.")


class KeysCheckedAdmin:
    """A ModelAdmin or inline whose related fields check the keys they are sent."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": GONE_ONE})
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site,
                                                  using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": GONE})
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(db_field, self.admin_site,
                                                          using=kwargs.get("using"))
        kwargs.setdefault("form_class", KnownKeysMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
