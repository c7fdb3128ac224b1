"""Forms for members' accounts: the profile, email choices, the directory's filter, signing up
and claiming an imported record."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.forms import SetPasswordForm

from cop_portal.web.forms import PortalFormHelper

from ..models import Organisation, Sector, User
from ..selectors.accounts import imported_member_for_email, interest_topics
from ..selectors.home import may_have_waiting


class ProfileForm(forms.ModelForm):
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
            "directory_accepts_messages",
        ]
        labels = {"organisation": "Organisation", "interests": "Areas of interest"}
        widgets = {"interests": forms.CheckboxSelectMultiple}
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


class DirectoryFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, empty_label="Any organisation"
    )
    sector = forms.ChoiceField(choices=[("", "Any sector"), *Sector.choices], required=False)
    interest = forms.ModelChoiceField(
        queryset=interest_topics(), required=False, empty_label="Any interest"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"


class EmailPreferencesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "email_programme",
            "email_reminders",
            "email_catch_up",
            "email_surveys",
            "email_digest",
            "email_organiser_waiting",
        ]
        labels = {
            "email_programme": "When a new programme is published",
            "email_reminders": (
                "Reminders before sessions I am booked on, and about my actions (falling due, "
                "and how they went three months on)"
            ),
            "email_catch_up": (
                "Session summaries: a catch-up when I booked but missed a session, and after "
                "one I came to, its summary, survey and a prompt to record an action"
            ),
            "email_surveys": "Invitations to surveys",
            "email_digest": "The digest",
            "email_organiser_waiting": (
                "As an organiser, what is waiting for you: each morning when it has changed"
            ),
        }
        help_texts = {
            "email_digest": (
                "Sessions coming up that match your interests and sector, new resources and case "
                "studies, and summaries of sessions you missed. It is not sent when there is no "
                "news. It also decides the one email we send if you came to a session and have "
                "not booked another, with the next sessions that match you."
            ),
        }
        widgets = {"email_digest": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without it (the boxes alone) keeps the member's digest as it was.
        self.fields["email_digest"].required = False
        # Only for those who may have something waiting: to anyone else the choice means nothing.
        if not may_have_waiting(self.instance):
            del self.fields["email_organiser_waiting"]
        self.helper = PortalFormHelper("Save email choices")

    def clean_email_digest(self):
        return self.cleaned_data["email_digest"] or self.instance.email_digest


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, except that the email of a member imported from a spreadsheet who
    has not signed up yet is let through: they take over that record
    (`AccountAdapter.save_user`). allauth decides an email is taken before its adapter's
    `validate_unique_email` runs, so the form is where this can happen. Any other email in use
    gets allauth's usual answer. Its password fields are labelled in the portal's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("password1", "Choose a password"), ("password2", "Type it again")):
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].widget.attrs.pop("placeholder", None)

    def validate_unique_email(self, value):
        if imported_member_for_email(value) is not None:
            return get_adapter().validate_unique_email(value)
        return super().validate_unique_email(value)


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form in the portal's words. The page has its own link for a forgotten
    password, so the one allauth puts under the field goes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class ClaimForm(SetPasswordForm):
    """An imported member's first password, with the portal's password rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type it again"
        self.helper = PortalFormHelper("Join the CoP Portal")
