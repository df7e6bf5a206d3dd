"""The desk's ingest screens: outlets' feeds with their health in words, what failed to parse
(read-only, for a week), the monitor's watched terms and the entries of press reviews."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

from dateline.newsroom.desk.keys import KeysCheckedAdmin
from dateline.newsroom.desk.seen import SeenStateAdmin

from .drafts import outlet_link
from .fetching import ASKED_TO_WAIT
from .models import FailedPayload, Feed, Item, WatchedTerm
from .parsers import registry as parsers
from .parsers.xml import charset
from .services import ServiceError, services
from .services.folder import allowed_folder

WEEK = timedelta(days=7)


def ago(moment) -> str:
    """'12 minutes ago', 'never'."""
    if moment is None:
        return "never"
    now = timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"  # timesince says "0 minutes"
    return f"{timesince(moment, now, depth=1)} ago".replace("\xa0", " ")


def failed_kept_since():
    return timezone.now() - timedelta(days=settings.DATELINE_INGEST_FAILED_KEEP_DAYS)


def resume_feed(feed: Feed, user) -> str:
    """Resume a paused feed: polling's own resume where it exists, else the same by hand."""
    try:
        from .polling import resume
    except ImportError:
        resume = None
    if resume is not None:
        resume(feed, user)
        return "polling resumed"
    Feed.objects.filter(pk=feed.pk).update(
        paused_at=None, paused_reason="", failures=0, next_poll_at=timezone.now())
    return "polling resumed (paused state cleared, next poll now)"


class FailedPayloadInline(admin.TabularInline):
    model = FailedPayload
    fields = ["received_at", "error", "content_type", "first_bytes"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Unreadable answers of the last week"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(received_at__gte=failed_kept_since())

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="First bytes")
    def first_bytes(self, payload: FailedPayload) -> str:
        return bytes(payload.payload[:300]).decode("utf-8", "replace")


class FeedForm(forms.ModelForm):
    """A feed's service and format chosen from those configured, and a folder only where the
    operator opened folders to feeds: a typed name polled nothing, and a typed path read any
    file of the server into the desk."""

    class Meta:
        model = Feed
        fields = ["name", "outlet", "site", "url", "service", "parser", "language", "encoding",
                  "country", "poll_interval", "active", "full_text", "may_quote",
                  "may_republish"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        # A new feed starts on http, the model's default (the list's first, "folder", was).
        self.fields["service"] = forms.ChoiceField(
            label=service.label, help_text=service.help_text,
            initial=Feed._meta.get_field("service").default,
            choices=[(name, name) for name in services.names()])
        parser = self.fields["parser"]
        self.fields["parser"] = forms.ChoiceField(
            label=parser.label, help_text=parser.help_text, required=False,
            choices=[("", "recognised from the content"),
                     *((name, name) for name in parsers.names())])

    def clean_encoding(self) -> str:
        name = self.cleaned_data["encoding"].strip()
        if not name:
            return ""
        try:
            return charset(name)
        except LookupError:
            raise forms.ValidationError(f"No character set is named \u2018{name}\u2019 "
                                        "(e.g. windows-1251, iso-8859-2, koi8-r).") from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("service") == "folder" and cleaned.get("url"):
            try:
                cleaned["url"] = str(allowed_folder(cleaned["url"]))
            except ServiceError as refusal:
                self.add_error("url", str(refusal))
        return cleaned


@admin.register(Feed)
class FeedAdmin(SeenStateAdmin, KeysCheckedAdmin, admin.ModelAdmin):
    form = FeedForm
    # Health first and few columns: beside the desk's menu and the filters, a wide table hid
    # the health off to the right. The outlet shows under the name only where they differ;
    # "state" says whether it is on, and the service is a filter.
    list_display = ["feed", "language", "state", "last_success", "last_error_words",
                    "failures", "items_per_day"]
    # Not language or country: a feed without one would be an unnamed link in the filter.
    list_filter = ["active", ("paused_at", admin.EmptyFieldListFilter), "service"]
    search_fields = ["name", "url", "outlet__name"]
    list_select_related = ["outlet"]
    autocomplete_fields = ["outlet"]
    actions = ["resume_polling", "poll_now"]
    inlines = [FailedPayloadInline]
    readonly_fields = ["outlet_rights", "health", "last_error", "last_warnings",
                       "paused_reason"]
    fieldsets = [
        (None, {"fields": ["name", "outlet", "outlet_rights", "site", "url", "service", "parser",
                           "language", "encoding", "country", "poll_interval", "active"]}),
        ("Rights", {"fields": ["full_text", "may_quote", "may_republish"]}),
        ("Health", {"fields": ["health", "last_error", "last_warnings", "paused_reason"]}),
    ]

    def get_queryset(self, request):
        # Items per day in the list's own query, however many feeds the page shows.
        week = Count("items", filter=Q(items__first_seen_at__gte=timezone.now() - WEEK))
        return super().get_queryset(request).annotate(items_week=week)

    @admin.display(description="State")
    def state(self, feed: Feed) -> str:
        if feed.paused_at:
            return f"Paused {ago(feed.paused_at)}: {feed.paused_reason or 'no reason given'}"
        return "Polling" if feed.active else "Off"

    @admin.display(description="Feed", ordering="name")
    def feed(self, feed: Feed) -> str:
        if feed.outlet and feed.outlet.name.casefold() != feed.name.casefold():
            return format_html("{}<br><small>{}</small>", feed.name, feed.outlet.name)
        return feed.name

    @admin.display(description="Last success", ordering="last_success_at")
    def last_success(self, feed: Feed) -> str:
        return ago(feed.last_success_at)

    @admin.display(description="Last error")
    def last_error_words(self, feed: Feed) -> str:
        if not feed.last_error:
            return f"none; read with warnings: {feed.last_warnings[:200]}" if (
                feed.last_warnings) else "none"
        recovered = (feed.last_success_at and feed.last_error_at
                     and feed.last_success_at > feed.last_error_at)
        # Kept for the record, but said to be past: beside a success it read as a failing feed.
        before = "recovered since; before: " if recovered else ""
        return f"{before}{feed.last_error[:200]} ({ago(feed.last_error_at)})"

    @admin.display(description="Items a day (last 7 days)", ordering="items_week")
    def items_per_day(self, feed: Feed) -> str:
        return f"{feed.items_week / 7:.1f}"

    @admin.display(description="Outlet's rights")
    def outlet_rights(self, feed: Feed) -> str:
        outlet = feed.outlet if feed.pk else None
        if outlet is None:
            return "Choose the outlet; its rights are edited on the outlet (Newsroom > Sources)."
        holder = outlet.rights_holder or "the house (the outlet is only cited)"
        return f"Rights holder: {holder}. {outlet.usage_terms}".strip()

    @admin.display(description="Health")
    def health(self, feed: Feed) -> str:
        return (f"Last success {ago(feed.last_success_at)}; last poll {ago(feed.last_polled_at)};"
                f" {feed.failures} failure(s) in a row; {self.state(feed)}.")

    @admin.action(description="Resume polling", permissions=["change"])
    def resume_polling(self, request, queryset) -> None:
        said = [resume_feed(feed, request.user) for feed in queryset]
        self.message_user(request, f"{len(said)} feed(s): {said[0]}.", messages.SUCCESS)

    @admin.action(description="Poll now", permissions=["change"])
    def poll_now(self, request, queryset) -> None:
        now = timezone.now()
        # An outlet that asked to be left alone (Retry-After, said in the last error) may
        # block the agency if asked again before: the editor is told, not stopped.
        pollable = queryset.filter(active=True, paused_at=None)
        asked = pollable.filter(next_poll_at__gt=now,
                                last_error__contains=ASKED_TO_WAIT).count()
        count = pollable.update(next_poll_at=now)
        skipped = queryset.count() - count
        note = f"; {skipped} paused or off, resume them first" if skipped else ""
        if asked:
            note += (f"; {asked} had asked to be left alone for a while (Retry-After): asked "
                     "again early, an outlet may block the agency")
        self.message_user(request, f"{count} feed(s) will be polled at the worker's next look"
                          f" (within a minute){note}.", messages.SUCCESS)


@admin.register(FailedPayload)
class FailedPayloadAdmin(admin.ModelAdmin):
    list_display = ["received_at", "feed", "error", "content_type"]
    list_select_related = ["feed"]
    fields = ["feed", "received_at", "error", "content_type", "first_bytes"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(received_at__gte=failed_kept_since())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    first_bytes = FailedPayloadInline.first_bytes


class TermRowForm(forms.ModelForm):
    """A list row's checkbox named by its term: the column header does not label it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "active" in self.fields:
            self.fields["active"].widget.attrs["aria-label"] = f"Watch \u2018{self.instance}\u2019"


@admin.register(WatchedTerm)
class WatchedTermAdmin(admin.ModelAdmin):
    list_display = ["term", "active", "excluded"]
    list_editable = ["active"]
    list_filter = ["excluded"]
    search_fields = ["term"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=TermRowForm, **kwargs)


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    """Items as outlets sent them, to look up; they change only by polling."""

    list_display = ["headline", "outlet", "language", "published_at", "first_seen_at", "used",
                    "open_link"]
    list_filter = ["used", "language", "feed"]
    list_select_related = ["outlet"]
    search_fields = ["headline"]
    exclude = ["signature", "raw"]
    date_hierarchy = "first_seen_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Link")
    def open_link(self, item: Item) -> str:
        link = outlet_link(item)
        return format_html('<a href="{}" rel="noopener noreferrer">the outlet\'s page</a>', link) \
            if link else "—"
