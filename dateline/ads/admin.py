"""Campaigns and placements on the desk, with a preview and each campaign's report."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from dateline.newsroom.desk.keys import KeysCheckedAdmin
from dateline.newsroom.desk.seen import SeenStateAdmin

from . import creative, report
from .models import Campaign, Placement


@admin.register(Placement)
class PlacementAdmin(SeenStateAdmin, admin.ModelAdmin):
    list_display = ["__str__", "size", "is_active", "holds_tag"]
    fields = ["slot", "is_active", "third_party_tag", "third_party_origins"]
    readonly_fields = ["slot"]

    @admin.display(description="size")
    def size(self, obj: Placement) -> str:
        return f"{obj.size.width} x {obj.size.height}"

    @admin.display(description="third-party tag", boolean=True)
    def holds_tag(self, obj: Placement) -> bool:
        return bool(obj.third_party_tag)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per slot of the pages, made by the migration

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(SeenStateAdmin, KeysCheckedAdmin, admin.ModelAdmin):
    list_display = ["name", "state", "slots", "weight", "impression_cap", "is_house",
                    "report_link"]
    list_filter = ["is_active", "is_house", "placements"]
    search_fields = ["name", "link"]
    autocomplete_fields = ["photo", "sections", "tags"]
    readonly_fields = ["preview"]
    fieldsets = [
        ("Creative", {"fields": ["name", "photo", "alt_text", "html", "link", "preview"]}),
        ("Where", {"fields": ["placements", "sections", "tags"]}),
        ("When and how much", {"fields": ["starts_at", "ends_at", "weight", "impression_cap",
                                          "is_house", "is_active"]}),
    ]

    class Media:
        css = {"all": ["ads/ads.css"]}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "placements":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("placements")

    @admin.display(description="state")
    def state(self, obj: Campaign) -> str:
        now = timezone.now()
        if not obj.is_active:
            return "paused"
        if obj.starts_at > now:
            return "scheduled"
        if obj.ends_at and obj.ends_at <= now:
            return "ended"
        return "running"

    @admin.display(description="placements")
    def slots(self, obj: Campaign) -> str:
        return ", ".join(str(p) for p in obj.placements.all())

    @admin.display(description="report")
    def report_link(self, obj: Campaign) -> str:
        return format_html('<a href="{}">Report</a>', reverse("admin:ads_campaign_report",
                                                              args=[obj.pk]))

    @admin.display(description="preview")
    def preview(self, obj: Campaign) -> str:
        """The saved creative in a slot as readers see it (save to see a change)."""
        if obj.pk is None or not (obj.photo_id or obj.html):
            return "Save the campaign to see it as readers will."
        slot = next((p.slot for p in obj.placements.all()), "top")
        return format_html(
            '<div class="ad-slot ad-slot-{}"><p class="ad-label">Advertisement</p>'
            '<div class="ad-box">{}</div></div>', slot,
            creative.render(obj, obj.link, image_loading="eager"))

    def get_urls(self):
        own = [path("<id:pk>/report/", self.admin_site.admin_view(self.report_view),
                    name="ads_campaign_report"),
               path("<id:pk>/report/chart.svg", self.admin_site.admin_view(self.chart_view),
                    name="ads_campaign_chart")]
        return own + super().get_urls()

    def _campaign(self, request: HttpRequest, pk: int) -> Campaign:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_view_or_change_permission(request, campaign):
            raise PermissionDenied("You may not see this campaign.")
        return campaign

    def chart_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        days = report.daily(self._campaign(request, pk))
        response = HttpResponse(report.chart(days), content_type="image/svg+xml")
        response["Cache-Control"] = "private, no-store"
        return response

    def report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(request, pk)
        days = report.daily(campaign)
        if request.GET.get("format") == "csv":
            response = HttpResponse(report.as_csv(days), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="campaign-{campaign.pk}-report.csv"')
            return response
        return TemplateResponse(request, "admin/ads/campaign/report.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "campaign": campaign, "title": f"Report: {campaign}",
            "days": days, "total": report.totals(days),
        })
