"""What the article editor offers a writer: the body editor, the headline, the words on screen."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django_prose_editor.widgets import AdminProseEditorWidget

from ..models import Author, Source, Tag
from .picking import PickOrCreateField, PickOrCreateWidget, unwrapped

# What the body editor offers; the server sanitises to the same set (html.BODY_TAGS), and
# tests/newsroom/test_desk_writing.py holds the two in step.
EDITOR_EXTENSIONS = {
    "Bold": True, "Italic": True, "Underline": True, "Strike": True, "Subscript": True,
    "Superscript": True, "Heading": {"levels": [2, 3, 4]}, "BulletList": True,
    "OrderedList": True, "ListItem": True, "Blockquote": True, "HorizontalRule": True,
    "HardBreak": True, "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True, "TableRow": True, "TableHeader": True, "TableCell": True,
    "History": True, "SpecialCharacters": True,
}
HEADLINE_GUIDE = 110  # past this, headlines are cut in lists and by search engines

# The "configurable" preset is the one that reads "extensions" (the default preset ignores
# it and offers H1-H5); the admin variant brings the styles that show list bullets.
BODY_WIDGET = AdminProseEditorWidget(
    preset="configurable", config={"extensions": EDITOR_EXTENSIONS}
)


class HeadlineInput(forms.TextInput):
    """The full-width headline; writing.js adds its character count."""

    class Media:
        js = ["desk/writing.js"]
        css = {"all": ["desk/writing.css"]}


HEADLINE_WIDGET = HeadlineInput(attrs={
    "class": "headline-input", "data-count-guide": HEADLINE_GUIDE, "autocomplete": "off",
})

LABELS = {"authors": "Staff authors", "byline_text": "or byline as written"}
HELP_TEXTS = {
    "headline": f"Up to {HEADLINE_GUIDE} characters shows in full everywhere.",
    "body": "What readers see. Headings H2 to H4, lists, quotes and links; anything else is "
            "removed when saved. Shortcuts: Ctrl+B bold, Ctrl+I italic, Ctrl+U underline, "
            "Ctrl+Shift+8 bulleted list, Ctrl+Shift+7 numbered list, Ctrl+Shift+B quote, "
            "Ctrl+Alt+2/3/4 heading, Ctrl+Alt+0 paragraph, Ctrl+Z undo (⌘ on a Mac).",
    "authors": "Type to find a staff author; press Enter to add a new one.",
    "byline_text": 'Instead of the staff authors: "Reader report by Ann Lee", "Reuters".',
    "sources": "Outlets the story draws on. Type to find one; press Enter to add a new one.",
    "tags": 'Type to find a tag; press Enter to add a new topic. Start with "person:", '
            '"place:" or "organisation:" to add one of those instead, e.g. "place: Sofia".',
    "section": "Sections are created on their own screen (Sections, in the desk's menu).",
}

PICKED = {"tags": Tag, "sources": Source, "authors": Author}


def pick_or_create(form: forms.ModelForm, user) -> None:
    """Make the form's tags, sources and authors pick-or-create fields, and drop the admin's
    pop-up links from them and from the section picker."""
    for name, model in PICKED.items():
        if name not in form.fields:
            continue
        old = form.fields[name]
        widget = unwrapped(old.widget)
        if hasattr(widget, "admin_site"):  # in the desk: the admin's autocomplete
            widget = PickOrCreateWidget(widget.field, widget.admin_site, attrs=widget.attrs)
        form.fields[name] = PickOrCreateField(
            model.objects.all(), user=user, required=old.required, widget=widget,
            label=old.label, help_text=old.help_text, disabled=old.disabled,
            error_messages=old.error_messages,
        )
    if "section" in form.fields:
        widget = unwrapped(form.fields["section"].widget)
        if hasattr(widget, "admin_site"):
            every = EverySectionAutocomplete(widget.field, widget.admin_site,
                                             attrs=widget.attrs)
            every.choices, every.is_required = widget.choices, widget.is_required
            widget = every
        form.fields["section"].widget = widget


class EverySectionAutocomplete(AutocompleteSelect):
    """The section picker lists every section in its page, not only the chosen one: a browser
    that runs no script (or has not yet) shows a plain list to choose from, where the admin's
    picker, which fills itself by script, left a new story a list of none and a "required"
    error no one could mend. With scripts, the search box works as before."""

    def optgroups(self, name, value, attr=None):
        chosen = {str(v) for v in value if v not in ("", None)}
        options = [self.create_option(name, "", "---------", not chosen, 0)] if (
            not self.is_required or not chosen) else []
        sections = self.choices.queryset.only("pk", "display_path").order_by("path")
        for index, section in enumerate(sections, 1):
            options.append(self.create_option(name, section.pk, section.display_path,
                                              str(section.pk) in chosen, index))
        return [(None, options, 0)]


def save_new_picks(form: forms.ModelForm) -> None:
    """Create the typed new tags, sources and authors, just before they are linked."""
    for name in PICKED:
        field = form.fields.get(name)
        if isinstance(field, PickOrCreateField) and name in form.cleaned_data:
            field.save_new(form.cleaned_data[name])
