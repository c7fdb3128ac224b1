"""Forms for the members' side of "from learning to action": actions and journey check-ins."""

from django import forms
from django.utils import dateformat, timezone

from cop_portal.web.forms import PortalFormHelper

from ..models import JOURNEY_STAGE_DESCRIPTIONS, Action, JourneyStage, ValueCycle
from ..selectors.journey import member_action_event_choices

PAST_DUE_DATE = "Choose today or a later date."


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event):
        when = dateformat.format(timezone.localtime(event.starts_at), "j M Y")
        return f"{when} – {event.title}"


class ActionForm(forms.ModelForm):
    """Record or change one of the member's own actions. `member` chooses which sessions are
    offered; `initial_event` (an id from the address) pre-selects one of them. With `session`
    the action comes from that session (the link in the email after it), so no session is
    offered to choose."""

    event = EventChoiceField(
        queryset=None,
        required=False,
        empty_label="None, or not from a session",
        label="The session that prompted it (optional)",
        help_text="Sessions you came to are listed first.",
    )

    class Meta:
        model = Action
        fields = ["what", "why", "due_on", "level", "event", "shared"]
        labels = {
            "what": "What you will do",
            "why": "Why it matters (optional)",
            "due_on": "By when (optional)",
            "level": "Where the change happens",
            "shared": "Share this with the CoP as an example",
        }
        help_texts = {
            "what": "One concrete step, such as “Ask for ethnicity data in our team’s audit”.",
            "due_on": "We will send you a reminder the day before, if you have reminders on.",
        }
        widgets = {
            "why": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "level": forms.RadioSelect,
        }

    def __init__(self, *args, member, initial_event=None, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = Action.Level.choices
        self.helper = PortalFormHelper("Save action")
        if session is not None:
            del self.fields["event"]
            return
        events = member_action_event_choices(member=member, keep_event_id=self.instance.event_id)
        self.fields["event"].queryset = events
        # An id from the address: pre-select it only if it is one of the sessions offered.
        wanted = str(initial_event or "")
        valid_id = wanted.isdecimal() and len(wanted) < 19
        if not self.is_bound and valid_id and events.filter(pk=int(wanted)).exists():
            self.initial["event"] = int(wanted)

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        # A new action is a plan, so it looks forward; an existing one may be overdue and
        # the member may simply be fixing its wording.
        if due_on and self.instance.pk is None and due_on < timezone.localdate():
            raise forms.ValidationError(PAST_DUE_DATE)
        return due_on


def _value_cycle_label(label: str) -> str:
    """ "Applied value: practice changed" → "Practice changed (applied value)": the plain words
    first, the framework's name for those who know it."""
    term, plain = label.split(": ", 1)
    return f"{plain[:1].upper()}{plain[1:]} ({term[:1].lower()}{term[1:]})"


VALUE_CYCLE_LABELS = {value: _value_cycle_label(label) for value, label in ValueCycle.choices}


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=Action.Status.choices, widget=forms.RadioSelect, label="Where it is now"
    )
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A note for yourself (optional)",
        help_text="What happened, what helped, what got in the way. Up to 500 characters.",
    )
    value_cycle = forms.ChoiceField(
        choices=[
            ("", "Not sure yet, or skip"),
            *VALUE_CYCLE_LABELS.items(),
        ],
        required=False,
        widget=forms.RadioSelect,
        label="What difference did it make? (optional, only when it is done)",
    )

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("initial", {"status": action.status, "value_cycle": action.value_cycle})
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save update")


class CheckInForm(forms.Form):
    stage = forms.TypedChoiceField(
        choices=[
            (stage.value, f"{stage.label} – {JOURNEY_STAGE_DESCRIPTIONS[stage]}")
            for stage in JourneyStage
        ],
        coerce=int,
        widget=forms.RadioSelect,
        label="Where are you now?",
    )
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="A note for yourself (optional)",
        help_text="Only you can see this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save check-in")
