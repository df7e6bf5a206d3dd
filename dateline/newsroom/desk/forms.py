"""Forms of the desk: the article editor, which refuses stale saves, and the action forms."""

from datetime import UTC, timedelta

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from dateline.base import onetime
from dateline.base.undecodable import REFUSAL, newly_unreadable

from ..actions.save import keep_refused
from ..html import has_content
from ..models import Article, ArticleNote, Revision
from ..permissions import may_set_top_story
from . import conflict, writing
from .states import GONE_OUT, moved_by, status_label

# The story's own text fields, as written in the desk.
UNREADABLE_CHECKED = ("headline", "slug", "standfirst", "body", "dateline", "byline_text",
                      "original_url")


class ArticleForm(forms.ModelForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0,
                                      max_value=Article.HIGHEST_VERSION)
    # The "Add article" page's one-time key (models.AddPageKey): saved twice, one story.
    add_key = forms.CharField(widget=forms.HiddenInput, required=False)
    # The tags the page showed (ids). A save applies what the editor changed among them to
    # the story's tags as they are then: a tag the worker put on meanwhile (intelligence,
    # above its confidence, which no version counts) was dropped by the next save of a page
    # that never showed it, and the machine then took it for the editor's refusal.
    seen_tags = forms.CharField(widget=forms.HiddenInput, required=False)
    # The story's state when the page was drawn. A colleague's move does not change the
    # version (Publish selected, in the list): an unfinished edit made on a page that said
    # "In review" went live with the next Save, unasked.
    opened_status = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    # Whether the story was live coverage when the page was drawn: a colleague's first live
    # entry turns it on (dateline.live) with no new version, and this page's unticked box,
    # saved, turned the coverage off for readers. Left as it was shown, the box keeps the
    # story's flag as it is now.
    opened_live = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1)

    class Meta:
        model = Article
        fields = [
            "headline", "slug", "standfirst", "body", "dateline", "section", "authors",
            "byline_text", "sources", "tags", "original_url", "is_top_story",
        ]
        widgets = {
            "headline": writing.HEADLINE_WIDGET, "body": writing.BODY_WIDGET,
            "standfirst": forms.Textarea(attrs={"rows": 3}),
        }
        labels, help_texts = writing.LABELS, writing.HELP_TEXTS

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        writing.pick_or_create(self, user)  # tags, sources, authors: typed, no pop-ups
        if "is_top_story" in self.fields and not (user and may_set_top_story(user)):
            # Disabled: a value posted anyway is ignored and the article keeps its own.
            self.fields["is_top_story"].disabled = True
            self.fields["is_top_story"].help_text = "Only editors choose the top story."
        if self.instance.pk and not self.is_bound:
            self.fields["base_version"].initial = self.instance.version
            self.fields["seen_tags"].initial = _ids(self.instance.tags.all())
            self.fields["opened_status"].initial = self.instance.status
            self.fields["opened_live"].initial = "1" if self.instance.is_live_coverage else "0"
        if not self.instance.pk and not self.is_bound:
            self.fields["add_key"].initial = onetime.new_key()
        self.refused_revision = None
        self.conflict: list[dict] = []
        self.saved_in_another_window = False
        self.stored_tags: set[int] | None = None

    def _refuse_unreadable(self, cleaned: dict) -> None:
        for name in UNREADABLE_CHECKED:
            if newly_unreadable(cleaned.get(name), getattr(self.instance, name, "")):
                self.add_error(name, forms.ValidationError(REFUSAL, code="undecodable"))

    def clean_seen_tags(self) -> set[int] | None:
        """None where the page sent none (a page drawn before the field): the posted tags win."""
        if "seen_tags" not in self.data:
            return None
        return {int(pk) for pk in self.cleaned_data["seen_tags"].split(",")
                if pk.strip().isdigit() and len(pk.strip()) < 19}

    def tags_to_keep(self, posted: set[int]) -> set[int] | None:
        """The story's tags once this save's changes to those the page showed are applied to
        the tags stored when it was made: None where that is what was posted."""
        seen = self.cleaned_data.get("seen_tags")
        if seen is None or self.stored_tags is None:
            return None
        kept = (self.stored_tags - (seen - posted)) | (posted - seen)
        return None if kept == posted else kept

    def clean_body(self) -> str:
        body = self.cleaned_data.get("body", "")
        if not has_content(body):  # only empty paragraphs: Enter pressed in an empty box
            raise forms.ValidationError(self.fields["body"].error_messages["required"],
                                        code="required")
        return body

    def clean_add_key(self) -> str | None:
        return onetime.sent_key(self.cleaned_data["add_key"]) if not self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        self._refuse_unreadable(cleaned)
        if not self.instance.pk:
            return cleaned
        base = cleaned.get("base_version")
        # Lock the row: the check and the save that follows happen as one step.
        current = Article.objects.select_for_update().get(pk=self.instance.pk)
        if base is None or base != current.version:
            self.refused_revision = keep_refused(
                self.instance.pk, self.user, base or 0,
                self.data.get("headline", ""), self.data.get("standfirst", ""),
                self.data.get("body", ""),
            )
            self.conflict = conflict.conflict_rows(self, current, base)
            # The conflict is now shown: the form carries the version it was compared with,
            # so the next save applies the editor's choices, unless yet another save lands.
            self.data = self.data.copy()
            self.data["base_version"] = str(current.version)
            self.data["seen_tags"] = _ids(current.tags.all())
            self.saved_in_another_window = _saved_by_self(current, self.user)
            who = "You saved (in another window)" if self.saved_in_another_window else (
                "Someone else saved")
            raise forms.ValidationError(
                f"{who} this article after you opened it (you "
                f"opened version {base}; {_saved_by(current)} version {current.version}). "
                f"Your text was not applied and is kept as revision "
                f"{self.refused_revision.pk}; it is still in the form below. Choose, field by "
                "field, what to keep, then save again.",
                code="stale",
            )
        opened = cleaned.get("opened_status")
        if opened and opened != current.status and current.status in GONE_OUT:
            self._refuse_moved(current)
        opened_live = cleaned.get("opened_live")
        if "is_live_coverage" in cleaned and opened_live in ("0", "1") and (
                cleaned["is_live_coverage"] == (opened_live == "1")):
            cleaned["is_live_coverage"] = current.is_live_coverage
        missing = conflict.unchosen(self)
        if missing:
            self._ask_again(current, missing)
        conflict.apply_choices(self, cleaned, current)
        if cleaned.get("seen_tags") is not None:  # read only where the merge will use them
            self.stored_tags = set(current.tags.values_list("pk", flat=True))
        return cleaned

    def _refuse_moved(self, current: Article) -> None:
        """Refuse a save made on a page drawn before a colleague (or the scheduler) published
        or scheduled the story: the text is kept, and the next save applies it knowingly."""
        self.refused_revision = keep_refused(
            self.instance.pk, self.user, current.version, self.data.get("headline", ""),
            self.data.get("standfirst", ""), self.data.get("body", ""))
        self.data = self.data.copy()
        self.data["opened_status"] = current.status
        now = status_label(current)
        raise forms.ValidationError(
            f"{moved_by(current)} after you opened it: it is now "
            f"{now[:1].lower()}{now[1:]}. Your text was not "
            f"applied, so nothing went out unread; it is kept as revision "
            f"{self.refused_revision.pk} and is still in the form below. Read it again, then "
            "save to put it on the story as it is now.",
            code="stale",
        )

    def _ask_again(self, current: Article, missing: list[str]) -> None:
        """Refuse a save that left a field both editors changed without a choice: the panel
        again, as it was, the text still in the form."""
        self.refused_revision = (current.revisions.filter(
            kind=Revision.Kind.REFUSED, created_by=self.user).first())
        base = self.refused_revision.version if self.refused_revision else current.version
        self.conflict = conflict.rows_again(self, current, base)
        names = ", ".join(str(self.fields[name].label or name) for name in missing)
        raise forms.ValidationError(
            f"You and they both changed {names}: choose, for each, whether to keep yours or "
            "take theirs (or merge them by hand in the form), then save again. Nothing was "
            "saved yet.",
            code="stale",
        )

    def _post_clean(self) -> None:
        # The admin shows this instance as the stored article (title, heading): a refused
        # save must not write its text into it.
        if self.has_error(NON_FIELD_ERRORS, code="stale"):
            return
        super()._post_clean()

    def _save_m2m(self) -> None:
        writing.save_new_picks(self)
        super()._save_m2m()


def _saved_by_self(article: Article, user) -> bool:
    """Whether the version a save was refused for is this editor's own (the story open in two
    tabs): they were told someone else had saved it."""
    last = article.revisions.exclude(kind=Revision.Kind.REFUSED).first()
    return last is not None and user is not None and last.created_by_id == user.pk


def _saved_by(article: Article) -> str:
    """"Ann Lee saved it at 09:16:02 as": who made the version a save was refused for."""
    last = (article.revisions.exclude(kind=Revision.Kind.REFUSED)
            .select_related("created_by").first())
    if last is None or last.created_by is None:
        return "it is now at"
    name = last.created_by.get_full_name() or last.created_by.get_username()
    return f"{name} saved it at {timezone.localtime(last.created_at):%H:%M:%S} as"


class SiteTimeField(forms.DateTimeField):
    """A time on the site's clock. One the clock change skips, or passes twice, is refused in
    words that say which and what to choose: Django's "couldn't be interpreted … it may be
    ambiguous or it may not exist" left the desk to guess, twice a year, for an embargo."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            raise forms.ValidationError(clock_change(error.params["datetime"])) from None


TICK = timedelta(microseconds=1)


def clock_change(naive) -> str:
    """What is wrong with a wall time the site's clock skips or passes twice, in words."""
    zone = timezone.get_current_timezone()
    wall = f"{naive:%H:%M:%S} on {naive:%-d %B %Y}"
    readings = sorted(naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                       for fold in (0, 1))
    change = _change_between(*readings, zone)
    old, new = (change - TICK).astimezone(zone), change.astimezone(zone)
    # The wall time at which the old clock stops, and the one the new clock starts from.
    stops, starts = f"{old + TICK:%H:%M}", f"{new:%H:%M}"
    if new.utcoffset() > old.utcoffset():  # forward: the hour between does not exist
        return (f"There is no {wall} in {zone}: at {stops} the clocks go forward to {starts}. "
                f"Choose a time before {stops} or from {starts}.")
    return (f"{wall} happens twice in {zone}: at {stops} the clocks go back to {starts}, so the "
            f"hour from {starts} comes twice. Choose a time before {starts} or from {stops}, so "
            "that nobody reads it the other way.")


def _change_between(start, end, zone):
    """The instant (UTC, to the minute) between two others at which the zone's offset
    changes."""
    first = start.astimezone(zone).utcoffset()
    moment = start
    while moment < end and moment.astimezone(zone).utcoffset() == first:
        moment += timedelta(minutes=1)
    return moment


class TransitionForm(forms.Form):
    # The status the page showed when the move was chosen (Transition.execute's `seen`):
    # required, so that no post, an old page's or a script's, moves a story blind.
    seen_status = forms.ChoiceField(
        choices=Article.Status.choices, widget=forms.HiddenInput,
        error_messages={"required": "this page does not say which state it showed the story "
                                    "in (it is older than the desk): reload it and choose again.",
                        "invalid_choice": "this page names a state no story has: reload it."})
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    at = SiteTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}),
        # To the second: what browsers send for step=1, and the same typed by hand.
        input_formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
                       "%Y-%m-%d %H:%M"],
        help_text="In the site's time zone.",
    )

    def clean_at(self):
        at = self.cleaned_data.get("at")
        if at is not None and timezone.is_naive(at):
            at = timezone.make_aware(at)
        try:
            return at if at is None else at.astimezone(UTC)
        except OverflowError:  # 9999-12-31 23:00 in New York is year 10000 in UTC
            raise forms.ValidationError(
                "That time is past the end of the calendar; give a real date.") from None


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=ArticleNote.Kind.choices)
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    # The page's one-time key: sent twice, the note is added once.
    sending = forms.CharField(required=False, widget=forms.HiddenInput,
                              initial=onetime.new_key)

    def clean_sending(self) -> str | None:
        return onetime.sent_key(self.cleaned_data["sending"])


def _ids(tags) -> str:
    return ",".join(str(pk) for pk in sorted(tag.pk for tag in tags))
