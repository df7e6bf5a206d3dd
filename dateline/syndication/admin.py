from django.contrib import admin, messages

from .models import ApiKey, Partner
from .websub import admin as websub_admin  # noqa: F401  (registers the WebSub screens)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    fields = ["prefix", "label", "rate_limit", "active", "last_used_at"]
    readonly_fields = ["prefix", "label", "rate_limit", "last_used_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # keys are added on their own page, which shows the token once


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact_email", "ninjs_version", "active", "created_at"]
    list_filter = ["active", "ninjs_version"]
    search_fields = ["name", "contact_email"]
    inlines = [ApiKeyInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "partner", "label", "rate_limit", "active", "last_used_at"]
    list_filter = ["active", "partner"]
    list_select_related = ["partner"]
    search_fields = ["prefix", "label", "partner__name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            messages.warning(
                request,
                f"The token of key {obj.prefix} is {token} — copy it now and hand it to "
                f"{obj.partner}; only its hash is kept, so it cannot be shown again.",
            )

    @admin.action(description="Revoke the selected keys (the API refuses them at once)",
                  permissions=["change"])
    def revoke(self, request, queryset) -> None:
        # Kept, not deleted: the prefix and last use stay on record for questions later.
        revoked = queryset.filter(active=True).update(active=False)
        messages.success(request, f"{revoked} key(s) revoked.")
