"""The desk's moderation queue of readers' reports: new ones first, read-only, decided once."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import path

from . import desk, moderation
from .models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["reference", "headline", "name", "status", "created_at", "photo_count",
                    "decided_by"]
    list_display_links = ["reference", "headline"]
    list_filter = ["status", "created_at"]
    # Counts beside each status and date in the filters: how much is waiting.
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["reference", "name", "email", "headline"]
    date_hierarchy = "created_at"
    # Reports waiting for a decision lead the queue, newest first; decided ones follow.
    ordering = [
        Case(When(status=Submission.Status.NEW, then=Value(0)), default=Value(1),
             output_field=IntegerField()).asc(),
        "-created_at",
    ]
    list_per_page = 50
    actions = ["mark_selected_as_spam"]

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("decided_by")
                .annotate(photo_count=Count("photos")))

    @admin.display(description="Photos", ordering="photo_count")
    def photo_count(self, submission: Submission) -> int:
        return submission.photo_count

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # The report page links to "other reports from this sender" by the keyed hash.
        return lookup == "sender_hash" or super().lookup_allowed(lookup, value, request)

    # Reports come only from readers, and stay as they sent them.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("submissions.delete_submission")

    def has_moderate_permission(self, request) -> bool:
        return moderation.may_moderate(request.user)

    def delete_model(self, request, obj: Submission) -> None:
        _delete_photo_files([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        _delete_photo_files(queryset)
        super().delete_queryset(request, queryset)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, unquote(object_id))
        if submission is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        return desk.report_page(request, submission)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/decide/<str:decision>/", wrap(desk.decide),
                 name="submissions_submission_decide"),
            path("<id:pk>/photos/<id:photo_pk>/", wrap(desk.photo),
                 name="submissions_submission_photo"),
            *super().get_urls(),
        ]

    @admin.action(description="Mark selected as spam", permissions=["moderate"])
    def mark_selected_as_spam(self, request, queryset) -> None:
        done, refused = 0, []
        for submission in queryset:
            try:
                moderation.mark_spam(request.user, submission, note="Marked from the queue.")
                done += 1
            except moderation.DecisionRefused as exc:
                refused.append(str(exc))
        if done:
            self.message_user(request, f"Marked {done} report(s) as spam.", messages.SUCCESS)
        for line in refused[:20]:
            self.message_user(request, line, messages.WARNING)


def _delete_photo_files(submissions) -> None:
    """A deleted report leaves none of the reader's photos behind in storage."""
    for submission in submissions:
        for photo in submission.photos.all():
            photo.image.delete(save=False)
