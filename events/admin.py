from django.contrib import admin

from .caching import places_changed, sessions_changed
from .models import CAUCUS_CHOICE_PERMISSION as CAUCUS_CHOICE
from .models import (
    Attendance,
    Caucus,
    CaucusMembership,
    Event,
    EventKind,
    Goal,
    Programme,
    Registration,
    Speaker,
    Suggestion,
)
from .services.organise import caucus_choices_viewed


def _sees_caucus_choices(request) -> bool:
    return request.user.has_perm(CAUCUS_CHOICE)


class _ChangesProgrammeAdmin(admin.ModelAdmin):
    """A change made here, outside the services, moves the programme's kept lists on as the
    services do (events.caching)."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._changed()

    def _changed(self):
        sessions_changed()
        places_changed()


@admin.register(Programme)
class ProgrammeAdmin(_ChangesProgrammeAdmin):
    list_display = ["title", "starts_on", "ends_on", "published_at"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at"]


@admin.register(EventKind)
class EventKindAdmin(_ChangesProgrammeAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


@admin.register(Caucus)
class CaucusAdmin(_ChangesProgrammeAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(CaucusMembership)
class CaucusMembershipAdmin(admin.ModelAdmin):
    """Members' caucus choices are special category data (UK GDPR): shown only to the named
    people given `events.view_caucus_choice`, and never changed here. Members withdraw, and
    so delete their choice, themselves."""

    list_display = ["member", "caucus", "consent_version", "consented_at"]
    list_filter = ["caucus"]
    list_select_related = ["member", "caucus"]
    search_fields = ["member__email", "member__name"]
    readonly_fields = ["member", "caucus", "consent_version", "consent_text", "consented_at"]

    def has_module_permission(self, request):
        return _sees_caucus_choices(request)

    def has_view_permission(self, request, obj=None):
        return _sees_caucus_choices(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            caucus_choices_viewed(request=request)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            choice = response.context_data["original"]  # the record the page shows
            caucus_choices_viewed(request=request, choice=choice)
        return response


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 1
    fields = ["name", "organisation", "role", "lived_experience", "order"]


@admin.register(Event)
class EventAdmin(_ChangesProgrammeAdmin):
    list_display = ["title", "starts_at", "kind", "format", "status"]
    list_filter = ["status", "format", "kind", "programme"]
    list_select_related = ["kind"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["goals"]
    readonly_fields = [
        "uid",
        "sequence",
        "summary_published_at",
        "catch_up_sent_at",
        "created_at",
        "updated_at",
    ]
    inlines = [SpeakerInline]


class _HidesCaucusSessionsAdmin(admin.ModelAdmin):
    """Who is booked on, or came to, a caucus session reveals their caucus: those rows are
    left out for anyone not trusted with caucus choices."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if _sees_caucus_choices(request):
            return queryset
        return queryset.filter(event__caucus__isnull=True)


@admin.register(Registration)
class RegistrationAdmin(_HidesCaucusSessionsAdmin, _ChangesProgrammeAdmin):
    list_display = ["member", "event", "status", "requested_at"]
    list_filter = ["status"]
    list_select_related = ["member", "event"]
    search_fields = ["member__email", "member__name", "event__title"]
    raw_id_fields = ["member", "event"]
    readonly_fields = ["reminder_sent_at", "invite_uid", "invite_sequence", "updated_at"]


@admin.register(Attendance)
class AttendanceAdmin(_HidesCaucusSessionsAdmin):
    list_display = ["member", "event", "walk_in", "recorded_at"]
    list_filter = ["walk_in"]
    list_select_related = ["member", "event"]
    search_fields = ["member__email", "member__name", "event__title"]
    raw_id_fields = ["member", "event", "recorded_by"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["topic", "member", "status", "created_at"]
    list_filter = ["status", "lived_experience_lead"]
    list_select_related = ["member"]
    search_fields = ["topic", "details", "speaker"]
    raw_id_fields = ["member", "event"]
