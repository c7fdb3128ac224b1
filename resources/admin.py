"""The resource hub in the Django admin. Members' pathway progress and reflections are not
here: reflections are private to each member, and progress is theirs too.

Uploaded files are added on the organisers' pages, which check a file's content before it is
stored, so the admin shows a resource's file but cannot change it. Saving goes through the
services, which keep the search index up to date."""

from django.contrib import admin

from . import services
from .models import (
    CaseStudy,
    Initiative,
    LearningPathway,
    PathwayStep,
    Resource,
    Space,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "audience", "status", "published_on", "event"]
    list_filter = ["status", "kind", "audience", "topics"]
    list_select_related = ["event"]
    search_fields = ["title", "description", "author"]
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event"]
    filter_horizontal = ["topics"]
    readonly_fields = ["file", "file_type", "file_size", "created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        services.resource_save(resource=obj, user=request.user)

    def delete_model(self, request, obj):
        # Through the service, so the stored file goes too.
        services.resource_delete(resource=obj)

    def delete_queryset(self, request, queryset):
        for resource in queryset:
            services.resource_delete(resource=resource)


class PathwayStepInline(admin.TabularInline):
    model = PathwayStep
    fields = ["order", "resource", "reflection_prompt"]
    autocomplete_fields = ["resource"]
    extra = 1


@admin.register(LearningPathway)
class LearningPathwayAdmin(admin.ModelAdmin):
    list_display = ["title", "is_published", "created_at"]
    list_filter = ["is_published"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PathwayStepInline]


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    """Publishing and returning happen on the organisers' moderation pages, which keep the
    status and its dates consistent; here they can only be read."""

    list_display = ["title", "author", "status", "submitted_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["author"]
    search_fields = ["title", "author__name", "author__email"]
    filter_horizontal = ["topics"]
    readonly_fields = [
        "author",
        "status",
        "moderator_comment",
        "submitted_at",
        "published_at",
        "created_at",
        "updated_at",
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.search_vectors_update(CaseStudy, [obj.pk])


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "status", "updated_at"]
    list_filter = ["status", "topics"]
    list_select_related = ["organisation"]
    search_fields = ["name", "summary", "organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["topics"]


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    """Topic spaces for conversation. Posts, messages and concerns are not in the admin: they
    are read where members wrote them, and decided in the organisers' queue."""

    list_display = ["title", "position", "is_open"]
    prepopulated_fields = {"slug": ["title"]}
