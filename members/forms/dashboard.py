"""The dashboard's forms: the period to report on, and the organisers' value-creation stories."""

from django import forms
from django.utils.functional import cached_property

from cop_portal.web.forms import DateRangeForm, PortalFormHelper, date_input

from ..models import ValueStory
from ..selectors.dashboard import Period


class PeriodForm(DateRangeForm):
    """The UK dates to report on; either end may be left open."""

    @cached_property
    def helper(self):
        """Made when the form is drawn, not on every view: a kept dashboard page only reads the
        dates."""
        helper = PortalFormHelper("Show the figures")
        helper.form_method = "get"
        helper.form_id = "period-form"
        return helper

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
