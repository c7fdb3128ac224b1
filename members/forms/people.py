"""Forms for the organisers' People pages: the member list's filters and a role change."""

from django import forms

from cop_portal.web.forms import FilterHelper

from ..models import Organisation, Sector, Seniority
from ..selectors.people import (
    LAST_ATTENDED_CHOICES,
    ROLE_CHOICES,
    STATUS_CHOICES,
    MemberFilters,
)

# There is deliberately no caucus filter, and no field reads one: see members/selectors/people.py.


class MemberListFilterForm(forms.Form):
    search = forms.CharField(
        label="Name or email address", max_length=100, required=False, strip=True
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), required=False, empty_label="Any organisation"
    )
    sector = forms.ChoiceField(choices=[("", "Any sector"), *Sector.choices], required=False)
    seniority = forms.ChoiceField(
        choices=[("", "Any seniority"), *Seniority.choices], required=False
    )
    role = forms.ChoiceField(choices=[("", "Any role"), *ROLE_CHOICES], required=False)
    status = forms.ChoiceField(
        label="Account", choices=[("", "Any"), *STATUS_CHOICES], required=False
    )
    joined_from = forms.DateField(
        label="Joined on or after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    joined_to = forms.DateField(
        label="Joined on or before",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    last_attended = forms.ChoiceField(
        label="Last open session attended",
        choices=[("", "Any time, or never"), *LAST_ATTENDED_CHOICES],
        required=False,
        help_text="Caucus sessions are not counted.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FilterHelper()
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("joined_from"), cleaned.get("joined_to")
        if start and end and end < start:
            self.add_error("joined_to", "This date must be on or after the first one.")
        return cleaned

    def filters(self) -> MemberFilters:
        """The filters asked for that are valid (the page says what is wrong with the others)."""
        if not self.is_bound:
            return MemberFilters()
        self.is_valid()
        return MemberFilters(**self.cleaned_data)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES[:2])
    give = forms.TypedChoiceField(
        choices=[("1", "Give"), ("0", "Take away")], coerce=lambda value: value == "1"
    )
    confirm = forms.BooleanField(
        label="Yes, I am sure",
        error_messages={"required": "Tick the box to confirm. Nothing has been changed."},
    )
