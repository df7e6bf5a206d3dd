"""The desk's entry to the readership screen: "Readership" on the desk's index."""

from django.contrib import admin
from django.shortcuts import redirect

from .models import Tally


@admin.register(Tally)
class TallyAdmin(admin.ModelAdmin):
    """The tallies are shown by the readership screen, in charts; never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        return redirect("readership-desk:readership")
