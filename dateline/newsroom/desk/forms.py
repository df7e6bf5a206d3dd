"""Forms of the desk: the article editor, which refuses stale saves, and the action forms."""

from django import forms
from django.utils import timezone
from django_prose_editor.widgets import ProseEditorWidget

from ..actions.save import keep_refused
from ..models import Article, ArticleNote
from ..permissions import may_set_top_story

# What the body editor offers; the server sanitises to the same set (html.BODY_TAGS).
EDITOR_EXTENSIONS = {
    "Bold": True, "Italic": True, "Underline": True, "Strike": True, "Subscript": True,
    "Superscript": True, "Heading": {"levels": [2, 3, 4]}, "BulletList": True,
    "OrderedList": True, "ListItem": True, "Blockquote": True, "HorizontalRule": True,
    "HardBreak": True, "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True, "TableRow": True, "TableHeader": True, "TableCell": True,
    "History": True, "Typographic": True,
}


class ArticleForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "headline", "slug", "standfirst", "body", "dateline", "section", "authors",
            "sources", "tags", "original_url", "is_top_story",
        ]
        widgets = {
            "body": ProseEditorWidget(config={"extensions": EDITOR_EXTENSIONS}),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if "is_top_story" in self.fields and not (user and may_set_top_story(user)):
            # Disabled: a value posted anyway is ignored and the article keeps its own.
            self.fields["is_top_story"].disabled = True
            self.fields["is_top_story"].help_text = "Only editors choose the top story."
        if self.instance.pk and not self.is_bound:
            self.fields["base_version"].initial = self.instance.version
        self.refused_revision = None

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        base = cleaned.get("base_version")
        # Lock the row: the check and the save that follows happen as one step.
        current = Article.objects.select_for_update().only("version").get(pk=self.instance.pk)
        if base is None or base != current.version:
            self.refused_revision = keep_refused(
                self.instance.pk, self.user, base or 0,
                self.data.get("headline", ""), self.data.get("standfirst", ""),
                self.data.get("body", ""),
            )
            raise forms.ValidationError(
                "Someone else saved this article after you opened it (it is now at version "
                f"{current.version}; you opened version {base}). Your text was not applied and "
                f"is kept as revision {self.refused_revision.pk}, and is still in the form "
                "below: compare it with the current version, merge, and save again.",
                code="stale",
            )
        return cleaned


class TransitionForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        help_text="In the site's time zone.",
    )

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        return at


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=ArticleNote.Kind.choices)
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
