"""The dashboard's forms: the period to report on, and the organisers' value-creation stories."""

from django import forms

from cop_portal.web.forms import DateRangeForm, PortalFormHelper, date_input

from ..models import ValueStory
from ..selectors.dashboard import Period


class PeriodForm(DateRangeForm):
    """The UK dates to report on; either end may be left open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Show the figures")
        self.helper.form_method = "get"
        self.helper.form_id = "period-form"

    def period(self) -> Period:
        """The period asked for, or all time when the dates are not valid."""
        if not self.is_valid():
            return Period()
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class ValueStoryForm(forms.ModelForm):
    class Meta:
        model = ValueStory
        fields = ["title", "cycle", "happened_on", "story"]
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "happened_on": date_input(),
            "cycle": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save the story")
