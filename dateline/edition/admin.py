"""The desk's editions: the list, the arranging of one edition's stories, and its buttons."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.html import format_html

from dateline.newsroom.desk.seen import SeenStateAdmin

from . import desk
from .assembly import is_public
from .models import Edition, EditionItem

Column = EditionItem.Column


def is_sent(edition: Edition | None) -> bool:
    return edition is not None and edition.status != Edition.Status.DRAFT


class ItemFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        if is_sent(Edition.objects.filter(pk=self.instance.pk).first()):
            # A page opened before the send, saved after it (the board refuses the same).
            raise forms.ValidationError(
                "This edition has been sent (or is being sent): its order stays as "
                "subscribers received it. Nothing was saved.")
        leads = [form for form in self.forms
                 if form.cleaned_data.get("column") == Column.LEAD
                 and not form.cleaned_data.get("left_out")]
        if len(leads) > 1:
            # The page shows one lead; a second would silently vanish from it. Named: one may
            # be a colleague's, kept by the merge while this table still shows it otherwise.
            named = ", ".join(f"\u2018{form.instance.article.headline}\u2019" for form in leads)
            raise forms.ValidationError(
                f"An edition has one lead story: {named} would all lead now (a colleague's "
                "choice included, if this table shows fewer). Make the others section stories "
                "or briefs, or reload to see the order as it is.")


class ItemForm(forms.ModelForm):
    """A table row whose fields name their story: the column headers do not label them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("column", "position", "pinned", "left_out"):
                if name in self.fields:
                    label = self.fields[name].label
                    self.fields[name].widget.attrs["aria-label"] = \
                        f"{label} of \u2018{self.instance.article.headline}\u2019"


class EditionItemInline(SeenStateAdmin, admin.TabularInline):
    model = EditionItem
    form = ItemForm
    formset = ItemFormSet
    fields = ["story", "runs_under", "column", "position", "pinned", "left_out"]
    readonly_fields = ["story", "runs_under"]
    ordering = ["position", "pk"]
    extra = 0
    # Left out, not deleted: a deleted item would be put back by the next build.
    can_delete = False
    verbose_name = "story"
    verbose_name_plural = "Stories, in the order they run (by position)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "article", "article__section", "section")

    def get_readonly_fields(self, request, obj=None):
        if is_sent(obj):  # as subscribers received it: read, not arranged
            return [*self.readonly_fields, "column", "position", "pinned", "left_out"]
        return self.readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # stories come in by building; the desk arranges them or leaves them out

    @admin.display(description="Story")
    def story(self, item: EditionItem) -> str:
        article = item.article
        link = format_html('<a href="{}">{}</a>',
                           reverse("admin:newsroom_article_change", args=[article.pk]),
                           article.headline)
        if not article.is_live:
            return format_html('{} <strong class="edition-gone">not published: not shown, '
                               'dropped at the next build</strong>', link)
        return format_html("{}<br><small>{}</small>", link, article.section.display_path)

    @admin.display(description="Runs under")
    def runs_under(self, item: EditionItem) -> str:
        return item.section.name if item.section else "More news"


@admin.register(Edition)
class EditionAdmin(SeenStateAdmin, admin.ModelAdmin):
    list_display = ["date", "name", "status", "stories", "sections", "briefs", "sent_at"]
    list_filter = ["status"]
    date_hierarchy = "date"
    fields = ["date", "name", "status", "built_at", "send_started_at", "sent_at"]
    readonly_fields = ["date", "status", "built_at", "send_started_at", "sent_at"]
    inlines = [EditionItemInline]
    change_list_template = "edition/admin/change_list.html"
    change_form_template = "edition/admin/change_form.html"
    list_per_page = 60

    def get_queryset(self, request):
        counted = {column: Count("items", filter=Q(items__column=column))
                   for column in Column.values}
        return super().get_queryset(request).annotate(
            n_items=Count("items"), n_sections=counted[Column.SECTION],
            n_briefs=counted[Column.BRIEF])

    @admin.display(description="Stories", ordering="n_items")
    def stories(self, edition: Edition) -> int:
        return edition.n_items

    @admin.display(description="Section stories", ordering="n_sections")
    def sections(self, edition: Edition) -> int:
        return edition.n_sections

    @admin.display(description="Briefs", ordering="n_briefs")
    def briefs(self, edition: Edition) -> int:
        return edition.n_briefs

    def has_add_permission(self, request) -> bool:
        return False  # "Open the next edition" builds one; an empty form would not

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields] if is_sent(obj) else self.readonly_fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edition = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if edition is not None:
            extra.update(desk.buttons_context(request, edition), is_out=is_public(edition),
                         **desk.board_context(request, edition))
        if is_sent(edition):
            extra.update(show_save=False, show_save_and_continue=False,
                         show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, extra)

    def changelist_view(self, request, extra_context=None):
        extra = dict(extra_context or {})
        extra.update(desk.next_edition_context(request))
        return super().changelist_view(request, extra)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("open-next/", wrap(desk.open_next), name="edition_edition_open_next"),
            path("<id:pk>/rebuild/", wrap(desk.rebuild), name="edition_edition_rebuild"),
            path("<id:pk>/send/", wrap(desk.send_now), name="edition_edition_send"),
            path("<id:pk>/test/", wrap(desk.send_test), name="edition_edition_test"),
            path("<id:pk>/add/", wrap(desk.add_story), name="edition_edition_add_story"),
            path("<id:pk>/arrange/", wrap(desk.arrange_items), name="edition_edition_arrange"),
            path("<id:pk>/pdf/", wrap(desk.pdf_preview), name="edition_edition_pdf"),
            path("<id:pk>/mail/", wrap(desk.mail_preview), name="edition_edition_mail"),
            *super().get_urls(),
        ]
