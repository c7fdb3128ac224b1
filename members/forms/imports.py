"""Forms for importing spreadsheets: the file and what it holds; for an attendance file, the
organiser's choices about it (its session, how its dates read, the minimum time, who the rows
without an email are); then the confirmation."""

from crispy_forms.layout import Hidden
from django import forms

from cop_portal.web.forms import PortalFormHelper

from ..selectors.imports import DEFAULT_MINIMUM_MINUTES, AttendanceChoices
from ..spreadsheets import DATE_ORDERS

IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Longer than any session the CoP runs; a typo such as 1000 is refused rather than met by
# nobody counting.
MAX_MINIMUM_MINUTES = 600
MATCH_PREFIX = "match_"


def _minimum_minutes_field(note: str = ""):
    return forms.IntegerField(
        label="Minimum time in the session, in minutes",
        min_value=0,
        max_value=MAX_MINIMUM_MINUTES,
        initial=DEFAULT_MINIMUM_MINUTES,
        required=False,
        help_text=f"{note}People in the meeting for less than this are listed as not counted. "
        "0 counts everyone.",
    )


def _or_default(minutes):
    return DEFAULT_MINIMUM_MINUTES if minutes is None else minutes


class ImportForm(forms.Form):
    """Step 1 of an import: the file, and what it holds. Step 2 shows what it would do."""

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[("members", "A list of members"), ("attendance", "An attendance register")],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File",
        help_text="CSV, tab-separated text, a Microsoft Teams attendance report, a Zoom "
        "participants or webinar attendee report or an Excel workbook (.xlsx), up to 5 MB.",
    )
    minimum_minutes = _minimum_minutes_field("Attendance only. ")
    event_title = forms.CharField(
        label="Session title",
        max_length=200,
        required=False,
        help_text="Attendance only. Leave empty to use the file's own: Teams and Zoom reports "
        "name the meeting. It ranks the suggested sessions and names a new one.",
    )
    event_date = forms.DateField(
        label="Session date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Attendance only. Leave empty to use the file's own.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Check the file")
        self.helper.add_input(Hidden("step", "check"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is over 5 MB: split it into smaller files.")
        return upload

    def choices(self) -> AttendanceChoices:
        data = self.cleaned_data
        return AttendanceChoices(
            minimum_minutes=_or_default(data["minimum_minutes"]),
            title=data["event_title"],
            date=data["event_date"],
        )


class AttendanceChoicesForm(forms.Form):
    """Step 2 of an attendance import, as often as needed: the choices the plan asks for.
    The session and the name matches are checked by the plan itself (an id it did not offer
    is no choice), so their fields take any value here."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)
    session = forms.CharField(
        label="The session this file belongs to", required=False, widget=forms.RadioSelect
    )
    date_order = forms.ChoiceField(
        label="How this file writes its dates",
        choices=list(DATE_ORDERS.items()),
        required=False,
        widget=forms.RadioSelect,
        help_text="Every date in the file could be read either way. Check one against the "
        "meeting's real date.",
    )
    minimum_minutes = _minimum_minutes_field()
    title = forms.CharField(
        label="Session title", max_length=200, required=False, help_text="Instead of the file's."
    )
    date = forms.DateField(
        label="Session date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Instead of the file's.",
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Check again with these choices")
        self.helper.add_input(Hidden("step", "choose"))
        if plan is None:
            return
        self.fields["session"].widget.choices = [
            (option.value, option.label) for option in plan.session_options
        ]
        if not plan.date_order_asked:
            del self.fields["date_order"]
        if not plan.one_meeting:  # each row names its own session
            for name in ("session", "title", "date"):
                del self.fields[name]
        elif not plan.session_options:  # nothing to pick until a title and date are given
            del self.fields["session"]
        for line, matches in sorted(plan.name_matches.items()):
            row = next(row for row in plan.rows if row.line == line)
            self.fields[f"{MATCH_PREFIX}{line}"] = forms.CharField(
                label=f"Line {line}: {row.what}, who has no email address",
                required=False,
                widget=forms.RadioSelect(
                    choices=[
                        ("", "Not imported"),
                        *((str(m.member_id), f"This member: {m.label}") for m in matches),
                    ]
                ),
            )

    @classmethod
    def for_plan(cls, plan, *, token: str, choices: AttendanceChoices):
        """The form as the plan asks it, showing the choices already made."""
        initial = {
            "token": token,
            "session": plan.session_chosen,
            "date_order": plan.date_order if plan.date_order_asked else "",
            "minimum_minutes": choices.minimum_minutes,
            "title": choices.title,
            "date": choices.date,
        }
        for line, member in plan.name_matches_chosen.items():
            initial[f"{MATCH_PREFIX}{line}"] = str(member)
        return cls(initial=initial, plan=plan)

    def choices(self) -> AttendanceChoices:
        data = self.cleaned_data
        matches = {}
        for key, value in self.data.items():
            line, member = key.removeprefix(MATCH_PREFIX), value
            if key.startswith(MATCH_PREFIX) and line.isdigit() and str(member).isdigit():
                matches[int(line)] = int(member)
        return AttendanceChoices(
            session=data.get("session", ""),
            date_order=data.get("date_order") or None,
            minimum_minutes=_or_default(data["minimum_minutes"]),
            name_matches=matches,
            title=data.get("title", ""),
            date=data.get("date"),
        )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Import these rows")
        self.helper.add_input(Hidden("step", "confirm"))
