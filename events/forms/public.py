"""Members' forms: joining a caucus and suggesting a session."""

from django import forms

from cop_portal.web.forms import PortalFormHelper

from ..models import Caucus, Suggestion


class SuggestionForm(forms.ModelForm):
    class Meta:
        model = Suggestion
        fields = ["topic", "details", "speaker", "lived_experience_lead"]
        labels = {"topic": "Topic or session idea"}
        help_texts = {
            "speaker": "Someone you would like to hear from, and their organisation if known.",
        }
        widgets = {"details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Send suggestion")


class CaucusJoinForm(forms.Form):
    caucus = forms.ModelChoiceField(
        queryset=Caucus.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Which caucus would you like to join?",
    )
    consent = forms.BooleanField(
        required=True,
        label="I give my explicit consent, as set out above",
        error_messages={"required": "Tick the box to give your consent, or leave this page."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Join the caucus")
