"""The desk's lists of what the machine drafted: suggestions by decision, topics (read-only)
and related stories (read-only; also the source of the editor's story picker). TagAlias is
the tagger's (its own admin)."""

from django.contrib import admin

from dateline.newsroom.permissions import can_see_all

from .models import RelatedStory, StoryTopic, TagSuggestion


class ReadOnly(admin.ModelAdmin):
    """Written by the worker and decided on the article editor, never edited here; seen by
    those who see every story (editors: the roles need no permissions of their own for it).
    The lists span the archive, drafts of every desk included: a contributor or reporter sees
    the machine's drafts of their own stories on their editor, not here."""

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_see_all(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TagSuggestion)
class TagSuggestionAdmin(ReadOnly):
    list_display = ["tag", "article", "confidence", "decision", "origin", "decided_by",
                    "updated_at"]
    list_filter = ["decision", "tag__kind", "origin"]
    search_fields = ["tag__name", "article__headline"]
    list_select_related = ["tag", "article", "decided_by"]
    raw_id_fields = ["article", "tag", "decided_by"]
    show_full_result_count = False


@admin.register(StoryTopic)
class StoryTopicAdmin(ReadOnly):
    list_display = ["article", "scheme", "code", "name", "confidence", "origin"]
    list_filter = ["scheme", "origin"]
    search_fields = ["code", "name", "article__headline"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
    show_full_result_count = False


@admin.register(RelatedStory)
class RelatedStoryAdmin(ReadOnly):
    list_display = ["article", "related", "rank", "origin", "score", "decided_by"]
    list_filter = ["origin"]
    list_select_related = ["article", "related", "decided_by"]
    raw_id_fields = ["article", "related", "decided_by"]
    show_full_result_count = False


from . import aliases_admin  # noqa: E402, F401 - the tagger's aliases, on Tag's page and listed
