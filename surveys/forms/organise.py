"""The organisers' forms for building surveys."""

from django import forms
from django.utils import timezone

from cop_portal.web.forms import UK_TIME_HELP, PortalFormHelper, datetime_input

from ..models import Question, Survey
from ..selectors.organise import standard_survey_templates, survey_sessions


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({timezone.localtime(obj.starts_at):%-d %b %Y})"


class SurveyForm(forms.ModelForm):
    """A survey's settings. Times are typed and shown in UK time (the site's time zone). The
    model's constraints (a session for a post-event survey, a caucus for a caucus survey,
    closing after opening) are checked by the form, so they show as form errors."""

    event = SessionChoiceField(
        queryset=None,
        required=False,
        label="Session",
        empty_label="Not about a session",
        help_text="Needed for a survey after a session: it goes to the members recorded as "
        "attending it.",
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "kind",
            "intro",
            "event",
            "caucus",
            "is_anonymous",
            "opens_at",
            "closes_at",
        ]
        labels = {
            "kind": "Kind of survey",
            "caucus": "Caucus",
            "is_anonymous": "Anonymous",
            "opens_at": "Opens (UK time)",
            "closes_at": "Closes (UK time)",
        }
        help_texts = {
            "intro": "Shown above the questions: why you are asking and what happens next.",
            "caucus": "Needed for a caucus survey: it goes to that caucus’s members only.",
            "opens_at": UK_TIME_HELP,
            "closes_at": UK_TIME_HELP,
        }
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "opens_at": datetime_input(),
            "closes_at": datetime_input(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_template:
            # A template is for no session or caucus and never opens: only what is copied.
            for name in ("event", "caucus", "opens_at", "closes_at"):
                del self.fields[name]
            self.helper = PortalFormHelper("Save template")
            return
        self.fields["event"].queryset = survey_sessions(chosen_id=self.instance.event_id)
        self.fields["caucus"].empty_label = "Not a caucus survey"
        self.helper = PortalFormHelper("Save survey")


class SurveyCopyForm(forms.ModelForm):
    """A new survey from a template or an earlier survey: its title, who it is for and when
    it is open. Its kind is the one copied, so a survey after a session asks for the session
    and a caucus survey for the caucus; leaving either out is a form error."""

    event = SessionChoiceField(
        queryset=None,
        required=False,
        label="Session",
        empty_label="Choose the session",
        help_text="It goes to the members recorded as attending it.",
    )

    class Meta:
        model = Survey
        fields = ["title", "event", "caucus", "opens_at", "closes_at"]
        labels = SurveyForm.Meta.labels
        help_texts = {
            "caucus": "It goes to that caucus’s members only.",
            "opens_at": UK_TIME_HELP,
            "closes_at": UK_TIME_HELP,
        }
        widgets = {"opens_at": datetime_input(), "closes_at": datetime_input()}

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, instance=Survey(kind=kind), **kwargs)
        if kind == Survey.Kind.POST_EVENT:
            self.fields["event"].queryset = survey_sessions()
            self._needed("event", "Choose the session this survey follows.")
        else:
            del self.fields["event"]
        if kind == Survey.Kind.CAUCUS:
            self.fields["caucus"].empty_label = "Choose the caucus"
            self._needed("caucus", "Choose the caucus this survey is for.")
        else:
            del self.fields["caucus"]
        self.helper = PortalFormHelper("Make the draft")

    def _needed(self, name: str, message: str) -> None:
        self.fields[name].required = True
        self.fields[name].error_messages["required"] = message


class StandardSurveyForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Survey sent after this session",
        empty_label="None",
        help_text="When the session ends, a survey is made from this template for those who "
        "came, open for two weeks; the email after the session carries it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = standard_survey_templates()
        self.helper = PortalFormHelper("Save")


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        required=False,
        label="Options",
        help_text="One option per line. Used for “One choice” and “Several choices” questions.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = Question
        fields = ["text", "help_text", "kind", "required", "value_cycle"]
        labels = {
            "text": "Question",
            "help_text": "Hint",
            "kind": "Kind of answer",
            "required": "Needs an answer",
        }
        help_texts = {"help_text": "Optional: shown under the question."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices"] = "\n".join(c.text for c in self.instance.choices.all())
        self.helper = PortalFormHelper("Save question")

    def clean(self):
        cleaned = super().clean()
        # Options typed for a question that then became free text or a scale are dropped.
        if cleaned.get("kind") in Question.CHOICE_KINDS:
            cleaned["choices"] = cleaned.get("choices", "").splitlines()
        else:
            cleaned["choices"] = []
        return cleaned
