"""The story's photos on the article editor: the lead photo and body photos, each picked from
the library by typing, or uploaded here and put in the library on the way.

Shown by the newsroom's ArticleAdmin through its EXTRA_INLINES (apps.ready adds this), so the
newsroom never imports pictures. The alt text is the library's, written once for every story
that uses the photo; publishing waits until it is there (publishing.py).
"""

from django import forms
from django.contrib import admin
from django.db.models import Case, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from dateline.newsroom.desk.keys import KeysCheckedAdmin
from dateline.newsroom.desk.seen import SeenStateAdmin
from dateline.newsroom.permissions import can_edit

from .models import Photo, StoryPhoto


class StoryPhotoForm(forms.ModelForm):
    upload = forms.FileField(
        required=False, label="or upload",
        help_text="A new photo for the library, used here; it needs alt text before publishing.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/avif,image/tiff"}),
    )

    class Meta:
        model = StoryPhoto
        fields = ["photo", "upload", "role", "after_paragraph", "caption", "credit"]
        widgets = {"caption": forms.Textarea(attrs={"rows": 2, "cols": 40})}
        labels = {"caption": "Caption in this story", "credit": "Credit in this story"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["photo"].required = False  # an upload stands in for it

    def validate_constraints(self):
        # Its one constraint, one lead a story, is checked over all the rows by the formset:
        # row by row against the database, the lead and a body photo could never swap.
        pass

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            from .library import PhotoRefused, add_photo

            try:
                photo, _ = add_photo(upload, name=upload.name or "photo", user=self.user,
                                     origin=Photo.Origin.UPLOAD, fields={})
            except PhotoRefused as refusal:
                self.add_error("upload", str(refusal))
                return cleaned
            cleaned["photo"] = photo
            self.instance.photo = photo
            # Should the page come back (an error elsewhere in the story), the row shows the
            # photo chosen from the library, where the upload now is: a file input comes
            # back empty, and the upload was silently to be made again.
            self.data = self.data.copy()
            self.data[self.add_prefix("photo")] = str(photo.pk)
        elif (not cleaned.get("photo") and not cleaned.get("DELETE") and self.has_changed()
              and "photo" not in self.errors):  # a photo deleted meanwhile: said once
            self.add_error("photo", "Choose a photo from the library, or upload one.")
        return cleaned


class StoryPhotoFormSet(forms.BaseInlineFormSet):
    def __init__(self, data=None, *args, prefix=None, **kwargs):
        # A save that does not carry the photos' rows at all (the workflow buttons' and the
        # merge's posts, scripts that know the story's text only) leaves the photos as they
        # are, instead of failing the whole save on a missing management form.
        key = f"{prefix or self.get_default_prefix()}-TOTAL_FORMS"
        if data is not None and key not in data:
            data = data.copy()
            data[key] = data[key.replace("TOTAL", "INITIAL")] = "0"
        super().__init__(data, *args, prefix=prefix, **kwargs)

    def clean(self):
        super().clean()
        if any("id" in f.errors for f in self.forms):
            # A row a colleague took off since the page was drawn: its hidden key no longer
            # names a row, and the error was on no field shown ("Please correct the errors
            # below", with none to see, at every save).
            raise forms.ValidationError(
                "A photo of this story was taken off by someone else after you opened it. "
                "Reload the page to see the story's photos as they are now (your text is kept "
                "and offered back), then save again.")
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                and f.cleaned_data.get("photo")]
        leads = [f for f in kept if f.cleaned_data.get("role") == StoryPhoto.Role.LEAD]
        if len(leads) > 1:
            raise forms.ValidationError("A story has one lead photo; put the others in the body.")
        photos = [f.cleaned_data["photo"].pk for f in kept]
        if len(photos) != len(set(photos)):
            raise forms.ValidationError("The same photo is in the story twice.")
        self._check_rows_added_meanwhile(leads, photos)
        # Publishing waits for alt text (publishing.py); a story already out would show a photo
        # put on it now at once, with none. Rows left as they were do not hold a save up.
        if self.instance.pk and self.instance.is_live:
            placed = [f.cleaned_data["photo"] for f in kept
                      if not f.instance.pk or {"photo", "upload"} & set(f.changed_data)]
            if missing := [photo for photo in placed if not photo.alt_text]:
                # Each named with a link to its page in the library, where the alt text is
                # written: a name alone left the editor searching the library for it.
                names = format_html_join(", ", '“<a href="{}" target="_blank" rel="noopener">'
                                         '{}</a>”', ((reverse("admin:pictures_photo_change",
                                                              args=[photo.pk]), str(photo))
                                                     for photo in missing))
                raise forms.ValidationError(format_html(
                    "This story is published: readers would see {} at once, with no alt text. "
                    "Add it in the photo library (the photo is there now: the link opens it in "
                    "a new tab), then pick it here again and save.", names))

    def _check_rows_added_meanwhile(self, leads: list, photos: list[int]) -> None:
        """Rows a colleague put on the story since the page was drawn, which this page never
        showed: a second lead was a 500 (the one-lead constraint), the same photo twice was
        stored (each page alone is refused that)."""
        if not self.instance.pk:
            return
        shown = {f.instance.pk for f in self.initial_forms if f.instance.pk}
        added = StoryPhoto.objects.filter(article=self.instance).exclude(pk__in=shown)
        was_lead = {f.instance.pk for f in self.initial_forms
                    if f.initial.get("role") == StoryPhoto.Role.LEAD}
        new_lead = any(not f.instance.pk or f.instance.pk not in was_lead for f in leads)
        lead = added.filter(role=StoryPhoto.Role.LEAD).select_related("photo").first()
        if lead is not None and new_lead:
            raise forms.ValidationError(
                f"Someone else gave this story a lead photo (“{lead.photo}”) after you opened "
                "it. Put yours in the body, or reload the page to see theirs (your text is "
                "kept and offered back), then save again.")
        twice = added.filter(photo__in=photos).select_related("photo").first()
        if twice is not None:
            raise forms.ValidationError(
                f"Someone else put “{twice.photo}” in this story after you opened it: it is in "
                "the story once already. Take it off here, or reload the page, then save again.")

    def save(self, commit=True):
        if commit:
            # The lead leaving its row first: rows are saved in order, and swapping the lead
            # with a body photo would otherwise meet the one-lead constraint half-way.
            leaving = [f.instance.pk for f in self.initial_forms
                       if f.initial.get("role") == StoryPhoto.Role.LEAD and f.cleaned_data
                       and (self._should_delete_form(f)
                            or f.cleaned_data.get("role") != StoryPhoto.Role.LEAD)]
            StoryPhoto.objects.filter(pk__in=leaving).update(role=StoryPhoto.Role.BODY)
        return super().save(commit)


class StoryPhotoInline(SeenStateAdmin, KeysCheckedAdmin, admin.StackedInline):
    # Each row carries what the page showed (SeenState): a colleague's new photo or caption,
    # saved while this page stood open, was put back by its next save (the merge panel
    # compares the story's own fields only).
    model = StoryPhoto
    form = StoryPhotoForm
    formset = StoryPhotoFormSet
    extra = 0
    autocomplete_fields = ["photo"]
    readonly_fields = ["preview"]
    fields = ["preview", ("photo", "upload"), ("role", "after_paragraph"), ("caption", "credit")]
    verbose_name = "photo"
    verbose_name_plural = "Photos: the lead photo and photos in the body"
    classes = ["story-photos"]

    def get_queryset(self, request):
        # The lead first, as the story shows it ("body" sorts before "lead" by name).
        lead_first = Case(When(role=StoryPhoto.Role.LEAD, then=0), default=1)
        return super().get_queryset(request).order_by(lead_first, "after_paragraph",
                                                       "position", "pk")

    # Placing photos is part of writing the story: whoever may edit the article may do it.
    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may_edit(request, obj)

    @staticmethod
    def _may_edit(request, article) -> bool:
        if article is None:
            return request.user.has_perm("newsroom.add_article")
        return can_edit(request.user, article)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        base = formset.form  # StoryPhotoForm with SeenState before it

        def __init__(form, *args, **kw):
            base.__init__(form, *args, user=request.user, **kw)

        formset.form = type("StoryPhotoFormFor", (base,), {"__init__": __init__})
        return formset

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "photo":
            # No pop-up windows on the editor: adding is the upload beside it, the photo's own
            # screen (alt text) is linked under its preview, and deleting a library photo is no
            # part of writing a story.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    @admin.display(description="As it looks")
    def preview(self, use: StoryPhoto) -> str:
        if not use.pk:
            return "-"
        from .display import picture

        shown = picture(use.photo, "free", "160px", alt="", loading="lazy")
        alt = (format_html("Alt text: {}", use.photo.alt_text) if use.photo.alt_text else
               "No alt text yet: write it in the photo library before publishing.")
        url = reverse("admin:pictures_photo_change", args=[use.photo_id])
        # The supplier's word on its use ("no sales", an embargo) where the photo is chosen.
        told = (format_html('<p class="photo-instructions"><strong>Instructions:</strong> {}</p>',
                            use.photo.instructions) if use.photo.instructions else "")
        return format_html('{}<p>{} <a href="{}" target="_blank" rel="noopener">Open the photo '
                           "in the library (new tab)</a></p>{}", shown, alt, url, told)
