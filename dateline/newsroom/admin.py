from django.contrib import admin

from .models import Article, Author, Section, Source, Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["display_path", "slug", "position"]
    list_select_related = ["parent"]
    search_fields = ["name", "display_path"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    ordering = ["path"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "url"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "status", "published_at", "is_top_story"]
    list_select_related = ["section"]
    list_filter = ["status", "is_top_story", "published_at"]
    search_fields = ["headline", "external_id"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "authors", "sources", "tags"]
    readonly_fields = ["external_id", "published_at_is_import_time", "created_at", "modified_at"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "dateline"]}),
        ("Filing", {"fields": ["section", "authors", "sources", "tags", "original_url"]}),
        (
            "Publication",
            {"fields": ["status", "is_top_story", "published_at", "updated_at",
                        "published_at_is_import_time"]},
        ),
        ("Record", {"classes": ["collapse"],
                    "fields": ["external_id", "created_at", "modified_at"]}),
    ]
