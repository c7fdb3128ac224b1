from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.layout import Hidden
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse

from cop_portal.web.forms import PortalFormHelper
from resources.models import Topic

from .models import ContentPage, GlossaryTerm, GroundRules, Organisation, Sector, User


class ProfileForm(forms.ModelForm):
    interests = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Areas of interest",
    )

    class Meta:
        model = User
        fields = [
            "name",
            "organisation",
            "job_role",
            "sector",
            "seniority",
            "interests",
            "listed_in_directory",
            "directory_shows_email",
        ]
        labels = {"organisation": "Organisation"}
        help_texts = {
            "organisation": "Choose “Not stated” if you would rather not say, or if yours is "
            "not listed yet: an organiser can add it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["organisation"].empty_label = "Not stated"
        self.fields["sector"].choices = [("", "Not stated"), *Sector.choices]
        self.fields["seniority"].choices = [
            ("", "Not stated"),
            *self.fields["seniority"].choices[1:],
        ]
        self.helper = PortalFormHelper("Save profile")


class ContentPageForm(forms.ModelForm):
    class Meta:
        model = ContentPage
        fields = ["title", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save page")


class GroundRulesForm(forms.ModelForm):
    class Meta:
        model = GroundRules
        fields = ["body", "change_summary"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save draft")


class GroundRulesAgreeForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label="I have read the ground rules and agree to follow them", required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Agree to the ground rules")
        self.helper.form_action = reverse("members:ground_rules_agree")


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save term")


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save organisation")

    def clean_name(self):
        # Normalise before the uniqueness check, so "A  Trust" clashes with "A Trust" here
        # and not later in the service.
        return " ".join(self.cleaned_data["name"].split())


class OrganisationMergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Organisation.objects.all(), label="Organisation to keep")
    duplicates = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Duplicates to merge into it",
        help_text="Their members move to the organisation you keep; the duplicates are removed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Merge organisations")

    def clean(self):
        cleaned = super().clean()
        keep, duplicates = cleaned.get("keep"), cleaned.get("duplicates")
        if keep and duplicates is not None and not [d for d in duplicates if d.pk != keep.pk]:
            raise forms.ValidationError(
                "Choose at least one duplicate other than the organisation you keep."
            )
        return cleaned


class DirectoryFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, empty_label="Any organisation"
    )
    sector = forms.ChoiceField(choices=[("", "Any sector"), *Sector.choices], required=False)
    interest = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any interest"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"


class EmailPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_programme", "email_reminders", "email_catch_up", "email_surveys"]
        labels = {
            "email_programme": "When a new programme is published",
            "email_reminders": "Reminders before sessions I am booked on",
            "email_catch_up": "Catch-up summaries of sessions I booked but missed",
            "email_surveys": "Invitations to surveys",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save email choices")


# Importing spreadsheets, and signing up as a member who was imported. (These imports sit here
# so that this block could be appended without touching the lines above; they can move up.)

IMPORT_MAX_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    """Step 1 of an import: the file, and what it holds. Step 2 confirms what it would do."""

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[("members", "A list of members"), ("attendance", "An attendance register")],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File",
        help_text="CSV, tab-separated text, a Microsoft Teams attendance report, a Zoom "
        "participants export or an Excel workbook (.xlsx), up to 5 MB.",
    )
    event_title = forms.CharField(
        label="Event title",
        max_length=200,
        required=False,
        help_text="Attendance only. Leave empty to use the file's own: Teams and Zoom reports "
        "name the meeting, and a register may have an Event title column.",
    )
    event_date = forms.DateField(
        label="Event date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Attendance only. Leave empty to use the file's own.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Check the file")
        self.helper.add_input(Hidden("step", "check"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is over 5 MB: split it into smaller files.")
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Import these rows")
        self.helper.add_input(Hidden("step", "confirm"))


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, except that the email of a member imported from a spreadsheet who
    has not signed up yet is let through: they take over that record
    (`AccountAdapter.save_user`). allauth decides an email is taken before its adapter's
    `validate_unique_email` runs, so the form is where this can happen. Any other email in use
    gets allauth's usual answer."""

    def validate_unique_email(self, value):
        from .imports import imported_member_for_email

        if imported_member_for_email(value) is not None:
            return get_adapter().validate_unique_email(value)
        return super().validate_unique_email(value)


class ClaimForm(SetPasswordForm):
    """An imported member's first password, with the portal's password rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type it again"
        self.helper = PortalFormHelper("Join the CoP Portal")
