"""Forms for the resource hub as members and visitors see it: search and browse."""

from django import forms

from cop_portal.web.forms import form_markup

from ..models import Resource, Topic
from ..selectors.hub import BROWSE_SESSIONS, SORTS, browse_sessions, sessions_with_resources


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the resource hub", required=False, strip=True)


class BrowseForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Resource.Kind.choices], required=False)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any topic"
    )
    event = forms.ModelChoiceField(
        queryset=sessions_with_resources(),
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
        # Any session with resources can be chosen (the link on each session's page), but the
        # list offers only the most recent ones.
        self.fields["event"].widget.choices = [("", "Any session"), *browse_sessions()]
        self.fields["event"].help_text = (
            f"The {BROWSE_SESSIONS} most recent sessions with resources; every session's page "
            "lists its own."
        )

    def markup(self):
        """The filters as markup (cop_portal.web.forms): the page's own <form> holds them."""
        return form_markup(self)

    @property
    def filters_in_use(self) -> int:
        """How many filters narrow the list (the order is not one), for the button that shows
        them on a phone."""
        if not self.is_bound or not self.is_valid():
            return 0
        return sum(1 for name, value in self.cleaned_data.items() if name != "sort" and value)

    def clean_event(self):
        # An older session chosen (from its own page) stays in the list, labelled: the field
        # has already fetched it to check it.
        event = self.cleaned_data["event"]
        choices = self.fields["event"].widget.choices
        if event is not None and all(value != event.pk for value, _ in choices):
            self.fields["event"].widget.choices = [*choices, (event.pk, str(event))]
        return event

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "newest"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
