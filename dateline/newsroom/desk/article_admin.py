"""The desk's article screens: lists by state, the editor, and the workflow around it."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from dateline.base import onetime
from dateline.base.numbers import key_from

from ..actions import TRANSITIONS, ActionRefused, log_action
from ..actions.save import announce_saved, claim_version, record_revision
from ..models import AddPageKey, Article, Author, Autosave, Revision
from ..permissions import can_edit, can_see_all, is_owner, may_set_top_story, owned_by
from . import autosave, budget, editor_page, presence, states, views
from .forms import ArticleForm
from .full_text import full_text_ids
from .keys import KeysCheckedAdmin
from .own_rows import DeletesItsOwnRows
from .session import desk_json

# Inlines other apps add to the article editor at ready() (pictures: the story's photos), so
# that the newsroom shows them without importing those apps.
EXTRA_INLINES: list[type[admin.options.InlineModelAdmin]] = []
SEEN_FIELD = "seen_status"


def seen_statuses(request) -> dict[int, str]:
    """The state each listed story showed on the page a bulk action was chosen on."""
    seen = {}
    for value in request.POST.getlist(SEEN_FIELD)[:1000]:
        pk, _, status = value.partition(":")
        if pk.isascii() and pk.isdigit() and status in Article.Status.values:
            seen[int(pk)] = status
    return seen


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "Mine")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owned_by(request.user))
        return queryset


class ArticleAdmin(KeysCheckedAdmin, DeletesItsOwnRows, admin.ModelAdmin):
    form = ArticleForm
    change_form_template = "desk/article_change_form.html"
    # The list is the newsroom's budget (desk/budget.py): last changed first, so a new draft
    # is on page 1; the index article_desk_recent_idx serves this order without a sort.
    change_list_template = "desk/article_change_list.html"
    ordering = ["-modified_at", "-id"]
    list_display = ["headline", "status_label", "section", "byline", "editing_now",
                    "last_change"]
    list_display_links = ["headline"]
    list_select_related = ()  # not False: that joins the section (see get_queryset)
    # Filters that need no query over the stories: a filter that lists the sections or
    # authors in use would scan every story (RelatedOnlyFieldListFilter), and a date
    # hierarchy reads every distinct year and month.
    list_filter = ["status", "section", MineFilter,
                   "is_breaking", "is_live_coverage"]
    show_facets = admin.ShowFacets.NEVER  # "Show counts" would count 100k stories per choice
    search_fields = ["headline", "standfirst", "external_id", "authors__name"]
    autocomplete_fields = ["section", "authors", "sources", "tags"]
    readonly_fields = ["status", "is_breaking", "published_at", "scheduled_for", "embargo_until",
                       "updated_at", "version", "external_id", "created_by", "created_at",
                       "modified_at"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["submit_selected", "publish_selected", "unpublish_selected",
               "return_selected"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "dateline", "base_version",
                           "add_key", "seen_tags", "opened_status",
                           "opened_live"]}),
        ("Filing", {"fields": ["section", "authors", "byline_text", "sources", "tags",
                               "original_url", "is_top_story", "is_live_coverage"]}),
        ("Publication", {"fields": ["status", "is_breaking", "published_at", "scheduled_for",
                                    "embargo_until", "updated_at", "version"]}),
        ("Record", {"classes": ["collapse"],
                    "fields": ["external_id", "created_by", "created_at", "modified_at"]}),
    ]

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *EXTRA_INLINES]

    def get_queryset(self, request):
        # The section is fetched apart, not joined: with the join SQLite sorts every story
        # instead of reading the newest from article_desk_recent_idx.
        queryset = super().get_queryset(request).prefetch_related(
            "section", Prefetch("authors", queryset=Author.objects.only("name"))
        )
        if request.GET.get("live") == "1" and request.path.endswith("/autocomplete/"):
            # A picker choosing a story to link to (related stories): what readers can open,
            # for every role. An editor was offered drafts and killed stories, then refused.
            return queryset.live()
        if can_see_all(request.user):
            return queryset
        return queryset.filter(owned_by(request.user))

    def get_search_results(self, request, queryset, search_term: str):
        """Full-text matches in every state (drafts too), or the fields' own matches; a picker
        choosing a story for another leaves that one out (`exclude`, its id)."""
        if (mine := key_from(request.GET.get("exclude", ""))) is not None:
            queryset = queryset.exclude(pk=mine)
        term = search_term.strip()
        ids = full_text_ids(term) if term else None
        if ids is None:
            return super().get_search_results(request, queryset, search_term)
        # External ids and bylines are not in the text index; find them by their own small
        # tables' indexes, never by LIKE over every story's text (100,000 rows, seconds).
        # The ids are gathered first so that the list query is a lookup by primary key, not a
        # walk over every story testing each against three conditions.
        found = {*ids, *Article.objects.filter(external_id=term).values_list("pk", flat=True)}
        authors = list(Author.objects.filter(name__icontains=term).values_list("pk", flat=True))
        found.update(Article.authors.through.objects.filter(author__in=authors[:50])
                     .order_by("-article_id").values_list("article_id", flat=True)[:1000])
        # A byline as written (a reader's report, an agency's copy), through its own index.
        found.update(Article.objects.exclude(byline_text="").filter(byline_text__icontains=term)
                     .values_list("pk", flat=True)[:1000])
        found = queryset.filter(pk__in=found)
        if request.path.endswith("/autocomplete/"):
            # A picker lists what the editor typed in a headline first, newest first: by id
            # alone, "Bulgaria signs 40 billion euroyen loan" came 12th of 13 for "Bulgaria",
            # and Enter took the first.
            found = found.annotate(in_headline=Case(
                When(headline__icontains=term, then=Value(0)), default=Value(1),
                output_field=IntegerField())).order_by("in_headline", *self.ordering)
        return found, False

    def autocomplete_label(self, article: Article) -> str:
        """A story in a picker (desk.site.LabelledAutocomplete): its headline, section, time
        and, unless published, its state ("killed"), so that two alike are told apart (wire
        twins share a section and a day) and a killed one is not taken for a live one."""
        when = (f"{timezone.localtime(article.published_at):%Y-%m-%d %H:%M}"
                if article.published_at else "")
        if article.is_live:
            state = ""
        elif article.status == Article.Status.PUBLISHED:  # under embargo, or dated ahead
            state = "not out yet"
        else:
            state = article.get_status_display().lower()
        said = ", ".join(part for part in (article.section.display_path, when, state) if part)
        return f"{article.headline} ({said})"

    @admin.display(description="Status", ordering="status")
    def status_label(self, article: Article) -> str:
        # The state the editor saw goes back with a bulk action (`_bulk`): a story another
        # editor moved since the list was drawn is left as it is, and the editor told why.
        return format_html('{}<input type="hidden" name="{}" value="{}:{}">',
                           states.status_label(article), SEEN_FIELD, article.pk, article.status)

    @admin.display(description="Editing now")
    def editing_now(self, article: Article) -> str | None:
        # Filled for the whole page at once by changelist_view (budget.annotate_rows).
        return ", ".join(getattr(article, "editing_now", [])) or None  # shown as "-"

    @admin.display(description="Last change", ordering="modified_at")
    def last_change(self, article: Article) -> str:
        when = f"{timezone.localtime(article.modified_at):%Y-%m-%d %H:%M}"
        by = getattr(article, "changed_by", "")
        return f"{when} by {by}" if by else when

    def delete_view(self, request, object_id, extra_context=None):
        # Who has the story open now: their unsaved text goes with it (the page they typed
        # in kept saying "Draft kept", and their Save found the story gone).
        article = Article.objects.filter(pk=key_from(str(object_id))).first()
        extra_context = {**(extra_context or {}), "editing_now": (
            presence.others(article, request.user) if article is not None else [])}
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        # The newsroom's word for the list, not the admin's "Select article to change".
        extra_context = {"title": "Stories", **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        cl = getattr(response, "context_data", {}).get("cl")
        if cl is None:  # a redirect, or an action's confirmation page
            return response
        cl.result_list = list(cl.result_list)
        budget.annotate_rows(cl.result_list, request.user)
        if cl.page_num == 1 and not cl.query and not cl.get_filters_params():
            response.context_data["budget"] = budget.panels(request.user)
        return response

    @admin.display(description="Byline")
    def byline(self, article: Article) -> str:
        return article.byline_text or ", ".join(a.name for a in article.authors.all())

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A page for reading shows the body as readers see it: as a read-only model field it
        # was its HTML source, tags and all.
        return [(name, {**options, "fields": [
            "body_as_read" if field == "body" else field for field in options["fields"]]})
            for name, options in fieldsets]

    @admin.display(description="Body")
    def body_as_read(self, article: Article) -> str:
        # Sanitised by Article.save (nh3), as the public page prints it.
        return mark_safe(f'<div class="body-as-read">{article.body}</div>')

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if not may_set_top_story(request.user):
            return [*fields, "is_top_story"]  # out of the form, so a posted value is ignored
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        kept = getattr(request, "desk_restored", None)

        class BoundToUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)
                if kept is not None and not self.is_bound:
                    # Unsaved text kept while the editor typed: the form opens with it.
                    self.initial.update(autosave.initial_from(kept, self.fields))

        return BoundToUser

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("newsroom.delete_article")

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            obj.status = Article.Status.DRAFT
        elif not can_edit(request.user, obj):  # the form was opened before a status change
            raise PermissionDenied("Your role does not allow you to edit this article now.")
        else:
            claim_version(obj, form.cleaned_data["base_version"])
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        if change:  # tags put on since the page was drawn stay (ArticleForm.seen_tags)
            kept = form.tags_to_keep(set(article.tags.values_list("pk", flat=True)))
            if kept is not None:
                article.tags.set(kept)
        if not change:
            key = form.cleaned_data.get("add_key")
            # A key taken by another account's story is no page of this one's: not kept.
            if key and not AddPageKey.objects.filter(key=key).exclude(
                    article__created_by=request.user).exists():
                AddPageKey.objects.create(key=key, article=article)
            own = Author.objects.filter(user=request.user).first()
            if own and not article.authors.exists():
                article.authors.add(own)
            log_action(article, "create", request.user, previous="")
        record_revision(article, request.user, Revision.Kind.SAVE)
        autosave.forget(request.user, None if not change else article,
                        request.POST.get(autosave.PAGE, "")[:64])
        announce_saved(article)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if (request.method == "POST" and article is not None
                and not can_edit(request.user, article) and is_owner(request.user, article)):
            return editor_page.keep_unwritable_save(request, article)
        pressed = request.POST.get(editor_page.WORKFLOW_BUTTON) if article is not None else None
        if request.method == "POST" and pressed and (refused := editor_page.refuse_moved_since(
                request, article, pressed, lambda: self._changed_fields(request, article))):
            return refused
        extra = extra_context or {}
        if article is not None:
            extra.update(views.workflow_context(request, article))
            extra.update(editor_page.page_context(request, article))
        return super().change_view(request, object_id, form_url, extra)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # A story kept from this account (a reporter opening a colleague's) is not "deleted".
        pk = key_from(str(object_id))
        if pk and Article.objects.filter(pk=pk).exists():
            self.message_user(request, "This story is another writer's: your role opens only "
                              "your own stories.", messages.WARNING)
            return redirect(reverse("admin:newsroom_article_changelist"))
        if request.method == "POST" and request.POST.get("headline") is not None:
            return self._keep_text_of_deleted(request)
        self.message_user(request, "This story no longer exists: it was deleted.",
                          messages.WARNING)
        return redirect(reverse("admin:newsroom_article_changelist"))

    def _keep_text_of_deleted(self, request):
        """A save of a story deleted meanwhile (a colleague's delete while this page stood
        open): its text, which went with the story's kept copy, becomes this editor's unsaved
        new story, which "Add article" opens with. It was thrown away with Django's "Perhaps
        it was deleted?"."""
        written = {name: request.POST.getlist(name) for name in request.POST
                   if name in _KEPT_OF_DELETED}
        Autosave.objects.update_or_create(article=None, user=request.user,
                                          defaults={"base_version": 1, "data": written})
        self.message_user(request, "This story was deleted while you had it open. Nothing of "
                          "yours was lost: your text is below as a new story, not saved yet. "
                          "Save it to keep it, or discard it.", messages.WARNING)
        return redirect(reverse("admin:newsroom_article_add") + "?restore=1")

    def add_view(self, request, form_url="", extra_context=None):
        # The same "Add article" page saved again (a double click on Save, a resent POST):
        # the story its first save created, not a second one.
        key = onetime.sent_key(request.POST.get("add_key")) if request.method == "POST" else None
        if earlier := self._created_from(request, key):
            return earlier
        extra = {**(extra_context or {}), **editor_page.page_context(request, None)}
        try:
            return super().add_view(request, form_url, extra)
        except IntegrityError:
            # Both saves arrived at once: the other one stored the key first.
            if earlier := self._created_from(request, key):
                return earlier
            raise

    def _created_from(self, request, key: str | None):
        found = key and AddPageKey.objects.filter(
            key=key, article__created_by=request.user).select_related("article").first()
        if not found:
            return None
        article = found.article
        autosave.forget_add_page(request.user, key)
        if autosave.keep_resent(request, article, self._changed_fields(request, article)):
            self.message_user(request, "This page was saved already, as this story. What you "
                              "changed before sending it again is back in the form: save to "
                              "keep it.", messages.WARNING)
        else:
            self.message_user(request, "This page was saved already: here is the story it "
                              "made.", messages.INFO)
        return redirect(reverse("admin:newsroom_article_change", args=[article.pk]))

    def _changed_fields(self, request, article: Article) -> list[str]:
        """The story's form fields whose posted value differs from what the story holds."""
        form = self.get_form(request, article, change=True)(
            request.POST, request.FILES, instance=article)
        ignored = {"base_version", "add_key", "seen_tags", "opened_status", "opened_live"}
        if not request.POST.get("slug", "").strip():
            ignored.add("slug")  # left blank, it was made from the headline (Article.save)
        return [name for name in form.changed_data if name not in ignored]

    def response_change(self, request, obj):
        action = request.POST.get(editor_page.WORKFLOW_BUTTON)
        if action:  # a workflow button: the text is saved, now the action
            return editor_page.run_workflow(request, obj, action)
        return super().response_change(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view

        def wrap_json(view):
            return desk_json(self.admin_site, view)

        return [
            path("<id:pk>/workflow/<str:action>/", wrap(views.transition),
                 name="newsroom_article_transition"),
            path("<id:pk>/log/", wrap(views.audit_log), name="newsroom_article_log"),
            path("<id:pk>/revisions/", wrap(views.revisions), name="newsroom_article_revisions"),
            path("<id:pk>/revisions/<id:revision>/restore/", wrap(views.restore),
                 name="newsroom_article_restore"),
            path("<id:pk>/notes/", wrap(views.add_note), name="newsroom_article_note"),
            path("<id:pk>/notes/<id:note>/withdraw/", wrap(views.withdraw_note),
                 name="newsroom_article_note_withdraw"),
            path("<id:pk>/autosave/", wrap_json(autosave.store), name="newsroom_article_autosave"),
            path("autosave/", wrap_json(autosave.store), name="newsroom_article_autosave_new"),
            path("<id:pk>/presence/", wrap_json(presence.heartbeat),
                 name="newsroom_article_presence"),
            path("<id:pk>/presence/leave/", wrap_json(presence.leave),
                 name="newsroom_article_leave"),
            path("<id:pk>/preview-link/", wrap(views.preview_link),
                 name="newsroom_article_preview_link"),
            *super().get_urls(),
        ]

    def _bulk(self, request, queryset, name: str, note: str = "") -> None:
        transition, done, refused = TRANSITIONS[name], 0, []
        seen = seen_statuses(request)
        for article in queryset:
            try:
                # A story chosen on this page moves only from the state shown there; one
                # taken in by "select all" across pages has no row seen, as the filter chose.
                transition.execute(request.user, article, note=note, seen=seen.get(article.pk))
                done += 1
            except (ActionRefused, PermissionDenied) as exc:
                refused.append(f"“{article.headline}”: {exc}")
        if done:
            self.message_user(request, f"{transition.label}: {done} article(s).", messages.SUCCESS)
        for line in refused[:20]:
            self.message_user(request, line, messages.ERROR)
        if len(refused) > 20:
            self.message_user(request, f"…and {len(refused) - 20} more refused: "
                              f"{len(refused)} in all.", messages.ERROR)

    # Each bulk action, by the move it makes: offered only to roles allowed to make it (a
    # reporter was offered "Kill" and walked through its confirmation before being refused).
    BULK_MOVES = {"submit_selected": "submit", "publish_selected": "publish",
                  "unpublish_selected": "unpublish", "return_selected": "return"}

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        found = super().get_actions(request, action_location)
        for action, move in self.BULK_MOVES.items():
            permission = TRANSITIONS[move].permission
            if action in found and not request.user.has_perm(f"newsroom.{permission}"):
                del found[action]
        return found

    @admin.action(description="Submit selected for review")
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description="Publish selected now")
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description="Unpublish (kill) selected")
    def unpublish_selected(self, request, queryset):
        """Asked first, with the reason each story's log keeps: one click on Run killed every
        story ticked, where the story page's kill has its note field."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(request, "desk/confirm_kill.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta,
                "title": "Kill these stories?", "stories": list(queryset[:200]),
                "count": queryset.count(), "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "seen": request.POST.getlist(SEEN_FIELD),
                "select_across": request.POST.get("select_across", "0"),
            })
        self._bulk(request, queryset, "unpublish", note=request.POST.get("note", "")[:2000])
        return None

    @admin.action(description="Return selected to their reporters")
    def return_selected(self, request, queryset):
        self._bulk(request, queryset, "return")


# What of a deleted story's form goes on to the new story its text becomes (not its workflow's
# hidden state, its version or its add page's key).
_KEPT_OF_DELETED = frozenset({"headline", "standfirst", "body", "dateline", "section",
                              "authors", "byline_text", "sources", "tags", "original_url"})


def keep_typed(request, article: Article, leave_out: frozenset[str] = frozenset()) -> bool:
    """The story's form, posted whole to another view (a button of the machine's panel
    pressed where scripts do not run): what it changes, but `leave_out`, kept as this editor's
    unsaved text of the story, which its page opens with again. The typed text was dropped
    without a word. False when it changes nothing."""
    changed = admin.site.get_model_admin(Article)._changed_fields(request, article)
    base = key_from(request.POST.get("base_version", ""))
    if base is None or not 1 <= base <= article.version:
        base = article.version
    return autosave.keep_resent(request, article,
                                [name for name in changed if name not in leave_out], base)
