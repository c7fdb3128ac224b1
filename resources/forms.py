from django import forms

from events.models import Event
from members.forms import PortalFormHelper

from .models import Resource, Topic
from .selectors import SORTS


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the resource hub", required=False, strip=True)


class BrowseForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any topic"
    )
    event = forms.ModelChoiceField(
        queryset=Event.objects.filter(status=Event.Status.PUBLISHED, resources__isnull=False)
        .distinct()
        .order_by("-starts_at"),
        required=False,
        empty_label="Any session",
        label="Session",
    )
    date_from = forms.DateField(
        required=False, label="Published from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Published up to", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("title", "Title A–Z")],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Filter")
        self.helper.form_method = "get"

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "newest"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

