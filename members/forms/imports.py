"""Forms for importing spreadsheets: the file and what it holds, then the confirmation."""

from crispy_forms.layout import Hidden
from django import forms

from cop_portal.web.forms import PortalFormHelper

IMPORT_MAX_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    """Step 1 of an import: the file, and what it holds. Step 2 confirms what it would do."""

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[("members", "A list of members"), ("attendance", "An attendance register")],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="File",
        help_text="CSV, tab-separated text, a Microsoft Teams attendance report, a Zoom "
        "participants export or an Excel workbook (.xlsx), up to 5 MB.",
    )
    event_title = forms.CharField(
        label="Event title",
        max_length=200,
        required=False,
        help_text="Attendance only. Leave empty to use the file's own: Teams and Zoom reports "
        "name the meeting, and a register may have an Event title column.",
    )
    event_date = forms.DateField(
        label="Event date",
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


class ImportConfirmForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Import these rows")
        self.helper.add_input(Hidden("step", "confirm"))
