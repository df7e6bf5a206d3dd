from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from .desk.article_admin import ArticleAdmin
from .desk.keys import KeysCheckedAdmin
from .desk.own_rows import DeletesItsOwnRows
from .desk.seen import SeenStateAdmin
from .models import Article, AuditEntry, Author, Section, Source, Tag, TwoFactorRole


class ExactNameFirst:
    """Names found by typing list the one typed exactly first, then those starting with it:
    "Reuters" typed and Enter took "Demo outlet — Reuters archive (replay)", first
    alphabetically of the names holding the word."""

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            ordering = list(queryset.query.order_by or self.model._meta.ordering or ["pk"])
            queryset = queryset.alias(typed_rank=Case(
                When(name__iexact=term, then=Value(0)),
                When(name__istartswith=term, then=Value(1)),
                default=Value(2), output_field=IntegerField(),
            )).order_by("typed_rank", *ordering)
        return queryset, duplicates


@admin.register(Section)
class SectionAdmin(SeenStateAdmin, KeysCheckedAdmin, admin.ModelAdmin):
    list_display = ["display_path", "slug", "position", "medtop"]
    list_select_related = ["parent"]
    search_fields = ["name", "display_path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    ordering = ["path"]


@admin.register(Tag)
class TagAdmin(SeenStateAdmin, ExactNameFirst, DeletesItsOwnRows, admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(SeenStateAdmin, ExactNameFirst, admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Source)
class SourceAdmin(SeenStateAdmin, ExactNameFirst, admin.ModelAdmin):
    list_display = ["name", "url", "rights_holder"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "url"]}),
        ("Rights", {"fields": ["rights_holder", "copyright_notice", "usage_terms"],
                    "description": "For an agency whose copy is carried as filed."}),
    ]


@admin.register(TwoFactorRole)
class TwoFactorRoleAdmin(KeysCheckedAdmin, admin.ModelAdmin):
    """The chief editor's list of roles whose accounts must log in with a code as well."""

    list_display = ["group", "since"]
    autocomplete_fields = ["group"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The newsroom's whole audit log, newest first; read only, since it is the record."""

    list_display = ["created_at", "user", "action", "article", "from_status", "to_status"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "article"]
    search_fields = ["article__headline", "note", "user__username"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Article, ArticleAdmin)


# Django's own account screens (the chief editor's), with the same checks of sent keys.
class DeskUserAdmin(KeysCheckedAdmin, UserAdmin):
    pass


class DeskGroupAdmin(KeysCheckedAdmin, GroupAdmin):
    pass


class DeskAccessAttemptAdmin(AccessAttemptAdmin):
    """django-axes' list of failed logins, whose "Clean up expired attempts" works."""

    @admin.action(description="Clean up expired attempts")
    def cleanup_expired_attempts(self, request, queryset):
        # django-axes reads the time its login handling stamps on a request; a desk list's
        # request has none, and the action ended in a 500 for every use.
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


# Importing auth's and axes' admin modules above registered their own screens: replaced here.
for model, model_admin in ((User, DeskUserAdmin), (Group, DeskGroupAdmin),
                           (AccessAttempt, DeskAccessAttemptAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
