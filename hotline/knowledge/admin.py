"""Back-office views: the synonym table is edited here (through the services, so search sees
the change at once); articles and logs are read-only here — articles change in the editor."""

from django.contrib import admin

from . import services
from .models import Article, ArticleVersion, Citation, KnowledgeEvent, SearchLog, SynonymGroup


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "note", "active")
    list_filter = ("active",)
    search_fields = ("terms", "note")

    def save_model(self, request, obj, form, change):
        saved = services.save_synonym_group(
            request.user,
            obj if change else None,
            terms=obj.terms,
            note=obj.note,
            active=obj.active,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.delete_synonym_group(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_synonym_group(request.user, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("key", "title", "status", "category", "audience", "updated_at")
    list_filter = ("status", "category", "audience")
    search_fields = ("key", "title")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "title", "published_at")


@admin.register(KnowledgeEvent)
class KnowledgeEventAdmin(ReadOnlyAdmin):
    list_display = ("code", "article", "actor", "at")
    list_filter = ("code",)


@admin.register(Citation)
class CitationAdmin(ReadOnlyAdmin):
    list_display = ("article", "order_number", "actor", "at")


@admin.register(SearchLog)
class SearchLogAdmin(ReadOnlyAdmin):
    list_display = ("query", "found", "result_count", "top_key", "at")
    list_filter = ("found",)
