"""The "Be a reporter" form: what a reader may send, and a message that helps with each mistake."""

import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict

from dateline.base import onetime

from .photos import (
    CleanPhoto,
    PhotoHeader,
    PhotoRefused,
    check_photo,
    display_name,
    reencode_photo,
)

# Fields whose value goes back into the form when a report is refused as a whole (too many
# reports, an expired page): everything the reader typed or ticked.
KEPT_FIELDS = ("name", "email", "headline", "text", "consent", "story", "sending")
TOO_LONG = "Shorten this to at most %(limit_value)d characters (it has %(show_value)d)."


# Embeddings, overrides and isolates of the text's direction: "Main Street \u202egnp.exe"
# reads "Main Street exe.png" on the page. Marks (U+200E, U+200F) and joiners stay: scripts
# need them.
DIRECTION_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_plain_text(value: str, *, multiline: bool) -> None:
    """Refuse what cannot be stored or shown: control characters, and undecodable bytes."""
    if "\ufffd" in value:
        raise ValidationError(
            "Some characters could not be read (they show as �): your browser did not send "
            "them as UTF-8. Replace them, then send again.", code="undecodable"
        )
    if not multiline and ("\n" in value or "\r" in value):
        raise ValidationError("Write this on one line.", code="multiline")
    allowed = "\n\r\t" if multiline else ""
    controls = sorted({c for c in value if (unicodedata.category(c) == "Cc" and c not in allowed)
                       or c in DIRECTION_OVERRIDES})
    if controls:
        codes = ", ".join(f"U+{ord(c):04X}" for c in controls[:5])
        raise ValidationError(
            f"Remove the invisible control characters ({codes}) from this; they often come "
            "with text copied from another program.", code="control_characters"
        )


class PlainTextField(forms.CharField):
    """Text as the reader wrote it, with no control characters but line breaks and tabs."""

    def __init__(self, *, multiline: bool = False, **kwargs) -> None:
        kwargs.setdefault("error_messages", {}).setdefault("max_length", TOO_LONG)
        self.multiline = multiline  # before super(): widget_attrs reads it
        super().__init__(**kwargs)
        # check_plain_text says more about a NUL byte than Django's own check would.
        self.validators = [v for v in self.validators
                           if not isinstance(v, ProhibitNullCharactersValidator)]

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        if self.multiline:
            # A browser cuts a pasted text at `maxlength` without a word; the server's message
            # ("it has 61,234") keeps all of it for the reader to shorten.
            attrs.pop("maxlength", None)
        return attrs

    def validate(self, value: str) -> None:
        super().validate(value)
        check_plain_text(value, multiline=self.multiline)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.Field):
    """The uploaded files, at most DATELINE_SUBMISSION_MAX_PHOTOS; the form checks each one."""

    widget = MultiplePhotoInput

    def clean(self, value) -> list:
        uploads = [u for u in (value or []) if u is not None]
        most = settings.DATELINE_SUBMISSION_MAX_PHOTOS
        if len(uploads) > most:
            raise ValidationError(
                f"Choose at most {most} photos (you chose {len(uploads)}).", code="too_many"
            )
        return uploads


class ReportForm(forms.Form):
    name = PlainTextField(
        label="Your name", max_length=200,
        help_text="We credit reporters by name, unless you ask us not to in your report.",
        error_messages={"required": "Enter your name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your e-mail address", max_length=254,
        help_text="We send your reference number here, and write if we have questions. "
                  "It is never published.",
        error_messages={
            "required": "Enter your e-mail address, so that we can reach you.",
            "invalid": "Enter an e-mail address like name@example.org.",
            "max_length": TOO_LONG,
            "null_characters_not_allowed": "Enter an e-mail address like name@example.org.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    headline = PlainTextField(
        label="Headline", max_length=300,
        help_text="What happened, in one line.",
        error_messages={"required": "Give your report a headline."},
    )
    text = PlainTextField(
        label="Your report", max_length=50_000, multiline=True, strip=False,
        help_text="What happened, where and when, and how you know. Leave a blank line "
                  "between paragraphs.",
        error_messages={"required": "Write your report."},
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    photos = PhotosField(
        label="Photos (optional)", required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    consent = forms.BooleanField(
        label="I accept the terms for readers' reports",
        help_text="In short: the report stays yours; you let us edit and publish it, with "
                  "your name; we never publish your e-mail address.",
        error_messages={
            "required": "Tick the box to accept the terms: we can only consider reports "
                        "whose authors do.",
        },
    )
    # The honeypot: hidden from people by the stylesheet, and labelled for screen readers;
    # robots that fill in every field fill it in too.
    website = forms.CharField(
        label="If you are a person, leave this empty", required=False, max_length=200, strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    # The story the reader came from (an article id), noted in the report's log.
    story = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    # The page's one-time key (dateline.base.onetime): the same page sent twice is one report.
    sending = forms.CharField(required=False, widget=forms.HiddenInput)
    # The photos chosen when the form came back with a problem (browsers never send a file a
    # second time), and the reader's word that the report may go without them.
    without_photos = forms.BooleanField(label="Send it without them", required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        max_bytes = settings.DATELINE_SUBMISSION_PHOTO_MAX_BYTES
        self.fields["photos"].help_text = (
            f"Up to {settings.DATELINE_SUBMISSION_MAX_PHOTOS} photos: JPEG, PNG or WebP, at "
            f"most {max_bytes // (1024 * 1024)} MB each. We remove the location and every other "
            "detail a camera stores in a photo before anyone sees it."
        )
        self.clean_photos_list: list[CleanPhoto] = []
        self.refused_photos: list[str] = []
        self._checked_photos: list[tuple[UploadedFile, PhotoHeader]] = []

    @classmethod
    def kept(cls, data: QueryDict) -> "ReportForm":
        """An unchecked form that shows what the reader sent, for a report refused as a whole."""
        return cls(initial={name: data.get(name, "") for name in KEPT_FIELDS})

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not text.strip():
            raise ValidationError(self.fields["text"].error_messages["required"],
                                  code="required")
        return text

    def clean_photos(self) -> list:
        """Check each photo from its header: cheap, and enough to refuse any bomb."""
        problems = []
        for upload in self.cleaned_data["photos"]:
            try:
                self._checked_photos.append((upload, check_photo(upload)))
            except PhotoRefused as refused:
                problems.append(str(refused))
                self.refused_photos.append(display_name(upload))
        if problems:
            raise ValidationError(problems)
        return self.cleaned_data["photos"]

    def clean(self) -> dict:
        """Decode the photos, the costly part, only for a report that is otherwise fine."""
        cleaned_data = super().clean()
        before = [name[:200] for name in self.data.getlist("photos_before")[:20] if name] \
            if hasattr(self.data, "getlist") else []
        if before and not cleaned_data.get("photos") and not cleaned_data.get("without_photos"):
            # Sent again after a problem, the photos were silently gone from the report.
            self.add_error("photos", ValidationError(
                "You chose %(names)s before, and your browser does not send a photo a second "
                "time: choose it again, or tick “Send it without them”.",
                params={"names": ", ".join(before)}, code="choose_again"))
        # A robot's photos are never kept, so they are never decoded either.
        if self.errors or self.is_robot:
            return cleaned_data
        problems = []
        for upload, header in self._checked_photos:
            try:
                self.clean_photos_list.append(reencode_photo(upload, header))
            except PhotoRefused as refused:
                problems.append(str(refused))
                self.refused_photos.append(header.name)
        if problems:
            self.add_error("photos", problems)
        return cleaned_data

    def clean_sending(self) -> str | None:
        return onetime.sent_key(self.cleaned_data["sending"])

    def clean_story(self) -> int | None:
        story = self.cleaned_data["story"]
        return int(story) if story.isdecimal() and len(story) < 12 else None  # else ignored

    @property
    def is_robot(self) -> bool:
        """Whether the honeypot was filled in: a person never sees it."""
        return bool(self.cleaned_data.get("website"))
