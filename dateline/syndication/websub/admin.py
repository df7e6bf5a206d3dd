"""The desk sees who subscribes to which feed and how pushes go; it may only remove them."""

from django.contrib import admin

from .models import Intent, Subscription


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows come from subscribers and the hub; the desk looks, and may delete an abusive one."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["topic", "callback_host", "expires_at", "last_delivered_at", "attempts",
                    "last_error"]
    list_filter = ["expires_at", "last_delivered_at"]
    search_fields = ["topic", "callback"]
    exclude = ["secret"]  # the desk has no need to read a partner's signing key


@admin.register(Intent)
class IntentAdmin(ReadOnlyAdmin):
    list_display = ["mode", "topic", "callback_host", "created_at"]
    list_filter = ["mode"]
    search_fields = ["topic", "callback"]
    exclude = ["secret"]
