from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ContentPage, GlossaryTerm, GroundRules, GroundRulesAgreement, Organisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "organisation", "sector", "is_staff", "date_joined"]
    list_filter = ["sector", "seniority", "is_staff", "is_active", "groups"]
    list_select_related = ["organisation"]
    search_fields = ["email", "name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "organisation", "job_role", "sector", "seniority"]}),
        ("Directory", {"fields": ["listed_in_directory", "directory_shows_email"]}),
        ("Roles", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector"]
    list_filter = ["sector"]
    search_fields = ["name"]


@admin.register(ContentPage)
class ContentPageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]


@admin.register(GroundRules)
class GroundRulesAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at", "change_summary"]
    readonly_fields = ["version", "published_at", "published_by"]


@admin.register(GroundRulesAgreement)
class GroundRulesAgreementAdmin(admin.ModelAdmin):
    list_display = ["member", "ground_rules", "agreed_at"]
    list_select_related = ["member", "ground_rules"]
    readonly_fields = ["member", "ground_rules", "agreed_at"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "slug", "updated_at"]
    search_fields = ["term"]
