"""Surveys in the admin. Responses and answers are deliberately not registered: a page listing
anonymous responses one by one, with their day and the groups they were given, invites
re-identification. Results are read, with small counts hidden, on the organisers' pages."""

from django.contrib import admin

from events.selectors import CAUCUS_CHOICE_PERMISSION as CAUCUS_CHOICE

from .caching import results_changed
from .models import Invitation, Question, Survey

# What may not change once anyone has answered (as in surveys.services.organise.survey_save).
LOCKED_AFTER_ANSWERS = ["kind", "event", "caucus", "is_anonymous"]


def _has_responses(survey) -> bool:
    return survey is not None and survey.pk is not None and survey.has_answers()


class QuestionInline(admin.TabularInline):
    """Questions are read-only once anyone has answered: answers belong to the wording they
    were given to."""

    model = Question
    extra = 0
    fields = ["order", "text", "help_text", "kind", "required"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _has_responses(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _has_responses(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _has_responses(obj)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "is_anonymous", "status", "opens_at", "closes_at"]
    list_filter = ["kind", "status", "is_anonymous", "is_template"]
    search_fields = ["title"]
    date_hierarchy = "opens_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "published_at",
        "invitations_sent_at",
        "reminders_sent_at",
        "created_by",
        "created_at",
    ]
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _has_responses(obj):
            fields += LOCKED_AFTER_ANSWERS
        return fields

    # A change made here, outside the services, moves the kept results on as they do.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        results_changed(form.instance.pk)

    # A survey deleted here leaves nothing kept of it, its results page included, behind.
    def delete_model(self, request, obj):
        survey_id = obj.pk
        super().delete_model(request, obj)
        results_changed(survey_id)

    def delete_queryset(self, request, queryset):
        survey_ids = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        results_changed(*survey_ids)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Who was asked and, for a named survey, whether they answered, to read only. An
    invitation to a caucus survey reveals the member's caucus (special category data), so those
    rows are shown only to the people trusted with caucus choices.

    For an anonymous survey neither whether the member answered nor whether they were reminded
    (only those who had not answered are) is shown: watched beside the results, a member
    turning to "answered" as the results move would tell whose answers they were. There is
    no filter by it for the same reason."""

    list_display = ["survey", "member", "invited_on", "answered"]
    list_select_related = ["survey", "member"]
    search_fields = ["survey__title", "member__email", "member__name"]
    readonly_fields = ["survey", "member", "invited_on", "reminded", "answered"]
    fields = readonly_fields
    NOT_SHOWN = "Not shown: the survey is anonymous"

    def lookup_allowed(self, lookup, value, request=None):
        # The admin would otherwise filter by any field named in the address.
        if lookup.split("__")[0] in {"responded", "reminded_on"}:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="answered")
    def answered(self, invitation):
        if invitation.survey.is_anonymous:
            return self.NOT_SHOWN
        return "Yes" if invitation.responded else "No"

    @admin.display(description="reminded on")
    def reminded(self, invitation):
        if invitation.survey.is_anonymous:
            return self.NOT_SHOWN
        return invitation.reminded_on or "-"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm(CAUCUS_CHOICE):
            return queryset
        return queryset.filter(survey__caucus__isnull=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
