"""The photo library in the desk: a list an editor scans by thumbnail, each photo's words and
focal point, and an upload screen; deleting a photo a story uses names the stories instead."""

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.db import router
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from dateline.base.undecodable import REFUSAL, newly_unreadable
from dateline.newsroom.desk.keys import KeysCheckedAdmin
from dateline.newsroom.desk.seen import SeenStateAdmin
from dateline.newsroom.desk.session import desk_json
from dateline.newsroom.models import Article
from dateline.newsroom.permissions import can_edit

from . import desk, guards
from .models import Photo

_PREVIEW_SHAPE = "free"
FOCAL_LABELS = {"focal_x": "Focal point across (0 left, 1 right)",
                "focal_y": "Focal point down (0 top, 1 bottom)"}


def _thumb(photo: Photo, sizes: str, *, named: bool, loading: str = "lazy") -> str:
    """A rendition (the original is private and keeps its EXIF), or a box with the title.
    Named: the list's thumbnail is a link, which needs the photo's name as its text."""
    from .display import picture

    found = picture(photo, _PREVIEW_SHAPE, sizes, alt=str(photo) if named else "",
                    loading=loading)
    return found or format_html('<span class="photo-placeholder"{}>{}</span>',
                                "" if named else mark_safe(' aria-hidden="true"'),
                                str(photo)[:40])


class UploadedFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "date uploaded"


class CreditFilter(admin.SimpleListFilter):
    """The credits and sources the library holds most, by name (an agency's photos at once)."""

    title = "credit or source"
    parameter_name = "credit"

    def lookups(self, request, model_admin):
        names = set(Photo.objects.exclude(credit="").values_list("credit", flat=True)
                    .distinct()[:30])
        names |= set(Photo.objects.exclude(source="").values_list("source", flat=True)
                     .distinct()[:30])
        return [(name, name) for name in sorted(names)]

    def queryset(self, request, queryset):
        if self.value():
            from django.db.models import Q

            return queryset.filter(Q(credit=self.value()) | Q(source=self.value()))
        return queryset


# The desk user whose photo page is being drawn: the "Stories" field names only the stories
# they may see (readonly fields are given the photo alone). Per request, never shared.
_viewer: ContextVar = ContextVar("pictures_viewer", default=None)


class PhotoForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if newly_unreadable(value, getattr(self.instance, name, "")):
                self.add_error(name, forms.ValidationError(REFUSAL, code="undecodable"))
        return cleaned

    def _out_or_booked(self, uses) -> Article | None:
        """A story using the photo that is out or booked to go (published, embargoed or
        scheduled): publishing checked its photo then, and its release does not again."""
        return Article.objects.filter(
            status__in=(Article.Status.PUBLISHED, Article.Status.SCHEDULED),
            pk__in=uses.values("article_id")).first()

    def clean_alt_text(self) -> str:
        alt = self.cleaned_data.get("alt_text", "")
        if self.instance.pk and not alt.strip():
            out = self._out_or_booked(self.instance.uses.all())
            if out is not None:
                # The story would show it with none, now or at its release (publishing asks).
                raise forms.ValidationError(
                    f"“{out.headline}” is {out.get_status_display().lower()} with this photo: "
                    "readers would see it with no alt text. Write a new one rather than "
                    "clearing it.")
        return alt

    def clean_credit(self) -> str:
        credit = self.cleaned_data.get("credit", "")
        names = any(c.isalnum() for c in self.instance.credit or "")
        if self.instance.pk and names and not any(c.isalnum() for c in credit):
            # Uses with a credit of their own show that one instead.
            out = self._out_or_booked(self.instance.uses.filter(credit=""))
            if out is not None:
                raise forms.ValidationError(
                    f"“{out.headline}” is {out.get_status_display().lower()} with this photo: "
                    "its credit would name no one. Write who took it, for whom.")
        return credit


@admin.register(Photo)
class PhotoAdmin(SeenStateAdmin, KeysCheckedAdmin, admin.ModelAdmin):
    form = PhotoForm
    list_display = ["thumbnail", "described", "credit", "source", "size_in_pixels", "uploaded"]
    list_display_links = ["thumbnail", "described"]
    # The file's name too: a photo with no title is listed by it ("harbour.jpg"), and typing
    # it in a story's photo picker found nothing.
    search_fields = ["title", "caption", "credit", "creator", "source", "original_name"]
    list_filter = [("created_at", UploadedFilter), ("tags", admin.RelatedOnlyFieldListFilter),
                   "origin", CreditFilter]
    list_per_page = 50
    autocomplete_fields = ["tags"]
    readonly_fields = ["focal_preview", "used_in", "facts"]
    fieldsets = [
        (None, {"fields": ["focal_preview", ("focal_x", "focal_y")]}),
        ("Words", {"fields": ["title", "caption", "alt_text", "tags", "taken_at"]}),
        ("Credit and rights", {"fields": ["credit", "creator", "source", "copyright_notice",
                                          "usage_terms", "instructions"]}),
        ("Used in", {"fields": ["used_in"]}),
        ("The file", {"fields": ["facts", "origin"]}),
    ]
    change_list_template = "pictures/admin/change_list.html"

    class Media:
        css = {"all": ["pictures/library.css"]}
        js = ["pictures/focal.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in FOCAL_LABELS:
            field.label = FOCAL_LABELS[db_field.name]
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload), name="pictures_photo_upload"),
            # Heard as 401 in JSON once the session ended, not the login page: each file's row
            # says so rather than "The upload failed".
            path("upload.json", desk_json(self.admin_site, desk.upload_json),
                 name="pictures_photo_upload_json"),
            *super().get_urls(),
        ]

    def upload(self, request: HttpRequest):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return desk.upload_page(request, self)

    def add_view(self, request, form_url="", extra_context=None):
        # Photos come in through the upload screen, which reads the file; a blank form cannot.
        return redirect("admin:pictures_photo_upload")

    @admin.display(description="Photo")
    def thumbnail(self, photo: Photo):
        return format_html('<span class="photo-thumb">{}</span>',
                           _thumb(photo, "120px", named=True))

    @admin.display(description="Title and caption", ordering="title")
    def described(self, photo: Photo):
        badge = "" if photo.alt_text.strip() else mark_safe(
            ' <span class="photo-badge">alt text missing</span>')
        caption = "" if photo.caption == str(photo) else photo.caption[:140]
        return format_html('<strong>{}</strong>{}<br><span class="photo-caption">{}</span>',
                           str(photo), badge, caption)

    @admin.display(description="Uploaded", ordering="created_at")
    def uploaded(self, photo: Photo):
        return photo.created_at

    @admin.display(description="Size")
    def size_in_pixels(self, photo: Photo):
        return f"{photo.width}\N{MULTIPLICATION SIGN}{photo.height}"

    @admin.display(description="Focal point")
    def focal_preview(self, photo: Photo):
        if photo.pk is None:
            return "-"
        return format_html(
            '<div class="focal" data-focal data-ratio="{}">{}'
            '<span class="focal-marker" aria-hidden="true"></span></div>'
            '<p class="help">Click on the subject to keep it in every crop, or set the two '
            "numbers below (0 is the left or top edge, 1 the right or bottom).</p>",
            f"{photo.width}/{photo.height}", _thumb(photo, "600px", named=False, loading="eager"))

    @admin.display(description="Stories")
    def used_in(self, photo: Photo):
        return desk.used_in(photo, _viewer.get()) if photo.pk else "-"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        token = _viewer.set(request.user)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # while the viewer is known
            return response
        finally:
            _viewer.reset(token)

    def has_change_permission(self, request, obj=None) -> bool:
        """A photo's words go out with every story that carries it: changing them is for
        those who may change each of those stories (a contributor rewrote the caption and
        credit under a published story, with no review and nothing in its log), and each
        other use's own rule (`guards`: a running ad's image is the ads desk's); the others
        see it read-only."""
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        # Asked several times a page by the admin: the stories are read once a request.
        known = request.__dict__.setdefault("_photo_changeable", {})
        if obj.pk not in known:
            known[obj.pk] = (all(can_edit(request.user, use.article)
                                 for use in obj.uses.select_related("article"))
                             and guards.may_change(request.user, obj))
        return known[obj.pk]

    @admin.display(description="File")
    def facts(self, photo: Photo):
        return (f"{photo.original_name or 'unnamed'}: {photo.format.upper()}, "
                f"{photo.width}\N{MULTIPLICATION SIGN}{photo.height} px, {photo.size // 1024} kB")

    # ---- Deleting: a photo a story carries stays, and the desk says which stories ----------

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = _kept_by(objs)
        return deleted, counts, perms, protected

    def delete_model(self, request, photo):
        try:
            super().delete_model(request, photo)
        except ProtectedError:  # a story took it up between the confirmation and the click
            self.message_user(request, _refusal([photo]), messages.ERROR)
            request.photo_kept = True

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "photo_kept", False):  # said above: no "deleted successfully"
            return redirect("admin:pictures_photo_change", obj_id)
        return super().response_delete(request, obj_display, obj_id)

    def delete_queryset(self, request, queryset):
        try:
            super().delete_queryset(request, queryset)
        except ProtectedError:
            self.message_user(request, _refusal(queryset), messages.ERROR)


def _stories_using(photos) -> list[str]:
    from .models import StoryPhoto

    uses = (StoryPhoto.objects.filter(photo__in=list(photos)).select_related("article", "photo")
            .order_by("article__headline"))
    return [f"“{u.article.headline}” ({u.article.get_status_display().lower()}) uses "
            f"“{u.photo}”" for u in uses]


def _kept_by(photos) -> list[str]:
    """What keeps these photos: the stories that carry them, then any other row another app
    keeps one for (an ad campaign's image), named by its kind. Only stories were named: a
    campaign's photo was "Not deleted: ." beside Django's "deleted successfully"."""
    from .models import StoryPhoto

    lines = _stories_using(photos)
    try:
        Collector(using=router.db_for_write(Photo)).collect(list(photos))
    except ProtectedError as error:
        lines += sorted(f"the {obj._meta.verbose_name} “{obj}” shows it"
                        for obj in error.protected_objects
                        if not isinstance(obj, StoryPhoto))
    return lines


def _refusal(photos) -> str:
    return "Not deleted: " + "; ".join(_kept_by(photos)) + "."

