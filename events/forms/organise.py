"""The organisers' forms: programmes, events and their speakers, attendance, summaries and
triaging members' suggestions."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from cop_portal.web.forms import (
    UK_TIME_HELP,
    FilterHelper,
    FormsetRowsHelper,
    InnerFormHelper,
    PortalFormHelper,
    date_input,
    datetime_input,
)

from ..models import Caucus, Event, EventKind, Goal, Programme, SessionMessage, Speaker, Suggestion


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["title", "starts_on", "ends_on", "theme", "description"]
        labels = {"starts_on": "First day", "ends_on": "Last day"}
        help_texts = {"title": "For example “April to September 2027”."}
        widgets = {
            "starts_on": date_input(),
            "ends_on": date_input(),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save programme")


class EventForm(forms.ModelForm):
    """An event's details. Times are typed and shown in UK time (the site's time zone), so a
    time that does not exist or happens twice at the clock change gets Django's own error."""

    class Meta:
        model = Event
        fields = [
            "programme",
            "title",
            "summary",
            "goals",
            "format",
            "kind",
            "caucus",
            "starts_at",
            "ends_at",
            "venue",
            "joining_link",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "start_here",
        ]
        labels = {
            "goals": "Goals it serves",
            "kind": "Kind of event",
            "caucus": "Caucus session for",
            "starts_at": "Starts (UK time)",
            "ends_at": "Ends (UK time)",
            "registration_opens_at": "Registration opens (UK time)",
            "registration_closes_at": "Registration closes (UK time)",
            "start_here": "Start here: essential for new joiners",
        }
        help_texts = {
            "starts_at": UK_TIME_HELP,
            "ends_at": UK_TIME_HELP,
            "registration_opens_at": f"{UK_TIME_HELP} Leave empty to open it on publishing.",
            "registration_closes_at": f"{UK_TIME_HELP} Leave empty to close it when the event "
            "starts.",
            "venue": "The address, for an in-person or hybrid event.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "goals": forms.CheckboxSelectMultiple,
            "starts_at": datetime_input(),
            "ends_at": datetime_input(),
            "registration_opens_at": datetime_input(),
            "registration_closes_at": datetime_input(),
        }

    def __init__(self, *args, later_in_series: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        if later_in_series:
            # A session of a series: the change can go to the later ones too.
            self.fields["apply_to"] = forms.ChoiceField(
                label="Make these changes to",
                choices=[
                    ("this", "This session only"),
                    (
                        "later",
                        f"This session and the {later_in_series} later "
                        f"session{'s' if later_in_series != 1 else ''} in its series "
                        "(their own dates kept, at this time of day)",
                    ),
                ],
                initial="this",
                widget=forms.RadioSelect,
            )
        self.fields["programme"].empty_label = "Not part of a programme"
        self.fields["caucus"].empty_label = "Not a caucus session: open to all members"
        self.helper = InnerFormHelper()

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The event must end after it starts.")
        if starts and closes and closes > starts:
            self.add_error(
                "registration_closes_at", "Registration must close by the time the event starts."
            )
        if opens and (closes or starts) and opens >= (closes or starts):
            self.add_error(
                "registration_opens_at",
                "Registration must open before it closes (or, with no closing time, before "
                "the event starts).",
            )
        if self.instance.pk is None and starts and starts <= timezone.now():
            self.add_error("starts_at", "A new event cannot start in the past.")
        return cleaned


class SpeakerForm(forms.ModelForm):
    class Meta:
        model = Speaker
        fields = ["name", "organisation", "role", "lived_experience", "order"]
        help_texts = {"order": "Lower numbers are listed first."}


SpeakerFormSet = forms.inlineformset_factory(
    Event, Speaker, form=SpeakerForm, extra=2, can_delete=True
)


class SpeakerFormSetHelper(FormsetRowsHelper):
    legend = "Speaker or facilitator"
    fields = ("name", "organisation", "role", "lived_experience", "order")


class MemberCheckboxesField(forms.MultipleChoiceField):
    """The ids of the members ticked. Anything that is not a whole number is dropped rather
    than refused: the service keeps only members with a place, so a stale page still saves."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        ids = []
        for item in value or []:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                continue
        return ids

    def validate(self, value):
        pass


class AttendanceForm(forms.Form):
    present = MemberCheckboxesField(required=False, label="Who came")

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (r.member_id, _member_label(r.member)) for r in registrations
        ]
        self.helper = PortalFormHelper("Save attendance")


def _member_label(member):
    return f"{member}, {member.organisation}" if member.organisation_id else str(member)


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label="Email address of a member who came without registering",
        help_text="They must already be a member of the portal.",
    )

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        # Its own button name: the check-in form's button on the same page is "submit".
        self.helper.add_input(Submit("add_walk_in", "Add to the attendance list"))

    def clean_email(self):
        email = self.cleaned_data["email"]
        member = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if member is None:
            raise forms.ValidationError(
                "No member has that email address. Check the spelling, or ask them to join "
                "the portal first."
            )
        self.cleaned_data["member"] = member
        return email


class EventSummaryForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["outcome_summary", "key_takeaways", "recording_url", "slides_url"]
        labels = {
            "outcome_summary": "Summary of the session",
            "recording_url": "Link to the recording",
            "slides_url": "Link to the slides",
        }
        help_texts = {
            "outcome_summary": "What was discussed and what came out of it. Members who "
            "registered but did not come get this in a catch-up email.",
            "key_takeaways": "One per line.",
        }
        widgets = {
            "outcome_summary": forms.Textarea(attrs={"rows": 8}),
            "key_takeaways": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_summary"].required = True
        self.helper = PortalFormHelper("Publish the summary")


class SuggestionFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Suggestion.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FilterHelper()


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} ({timezone.localtime(obj.starts_at):%-d %b %Y})"


class SuggestionTriageForm(forms.Form):
    status = forms.ChoiceField(choices=Suggestion.Status.choices)
    organiser_note = forms.CharField(
        max_length=500,
        required=False,
        label="Note for the member",
        help_text="The member sees this with their suggestion.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    event = EventChoiceField(
        queryset=Event.objects.exclude(status=Event.Status.DRAFT).order_by("-starts_at"),
        required=False,
        label="The session it became",
        help_text="Needed when the status is “Became a session”.",
        empty_label="None",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save")


class SessionMessageForm(forms.Form):
    """An organiser's email to those booked on a session. The first post shows who it would
    reach; the second, with `confirmed`, sends it."""

    audience = forms.ChoiceField(
        label="Send to",
        choices=SessionMessage.Audience.choices,
        initial=SessionMessage.Audience.BOOKED,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. It goes with the session's date and a link to its page.",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_subject(self):
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError("Write a subject.")
        return subject

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write the message.")
        return body


class PlaceGiveForm(forms.Form):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    over_capacity = forms.BooleanField(
        label="Give a place beyond the session's capacity", required=False
    )


class EventCopyForm(forms.Form):
    """A copy of a session on a new date: the rest comes from the original."""

    starts_at = forms.DateTimeField(
        label="The copy starts (UK time)", help_text=UK_TIME_HELP, widget=datetime_input()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Make the copy")

    def clean_starts_at(self):
        starts = self.cleaned_data["starts_at"]
        if starts <= timezone.now():
            raise forms.ValidationError("A copy must start in the future.")
        return starts


class EventRepeatForm(forms.Form):
    """A session repeated as a series, on a pattern drawn from its own date."""

    pattern = forms.ChoiceField(label="Repeat", widget=forms.RadioSelect)
    count = forms.IntegerField(
        label="How many more sessions",
        min_value=1,
        max_value=24,
        initial=5,
        help_text="Each is a draft, with this session's details, goals and speakers.",
    )

    def __init__(self, *args, patterns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pattern"].choices = [(p.key, p.label) for p in patterns]
        self.helper = PortalFormHelper("Add the series")


class EventKindForm(forms.ModelForm):
    class Meta:
        model = EventKind
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save")


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["name", "order"]
        help_texts = {"order": "Goals are listed from the lowest number."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save")


class CaucusForm(forms.ModelForm):
    class Meta:
        model = Caucus
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "description": "Members read this when they choose a caucus. Those who chose it "
            "before keep, with their consent, the description they read then.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save")
