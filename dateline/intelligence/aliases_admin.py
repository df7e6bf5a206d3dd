"""Tag aliases on the desk: a list to search ("which tag is 'Assad'?"), and the aliases of a
tag on the tag's own page, so an editor who merges "U.S." into "USA" does it where the tag is.

The newsroom's Tag admin knows nothing of intelligence; it is registered again here as a
subclass with the aliases inline (intelligence may import the newsroom, not the reverse).
"""

from django.contrib import admin

from dateline.newsroom.admin import TagAdmin
from dateline.newsroom.desk.keys import KeysCheckedAdmin
from dateline.newsroom.desk.seen import SeenStateAdmin
from dateline.newsroom.models import Tag

from .models import TagAlias


class TagPermissions:
    """An alias is part of its tag: whoever may change tags (editors) edits their aliases,
    whoever may see tags sees them, without permissions of their own for the roles to list."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("newsroom.view_tag") or self.has_change_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("newsroom.change_tag")

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("newsroom.change_tag")

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("newsroom.change_tag")


class TagAliasInline(TagPermissions, admin.TabularInline):
    model = TagAlias
    fields = ["name"]
    extra = 1
    verbose_name = "other name"
    verbose_name_plural = 'Other names ("Assad" for "Bashar al-Assad", "U.S." for "USA")'


class TagWithAliasesAdmin(TagAdmin):
    inlines = [*TagAdmin.inlines, TagAliasInline]


if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)
admin.site.register(Tag, TagWithAliasesAdmin)


@admin.register(TagAlias)
class TagAliasAdmin(SeenStateAdmin, TagPermissions, KeysCheckedAdmin, admin.ModelAdmin):
    list_display = ["name", "tag", "tag_kind"]
    list_filter = ["tag__kind"]
    search_fields = ["name", "key", "tag__name"]
    list_select_related = ["tag"]
    autocomplete_fields = ["tag"]  # tens of thousands of tags: never one <select> of all
    show_full_result_count = False

    @admin.display(description="kind", ordering="tag__kind")
    def tag_kind(self, alias: TagAlias) -> str:
        return alias.tag.get_kind_display()
