"""Forms for organisations: adding or renaming one, and merging duplicates."""

from django import forms

from cop_portal.web.forms import PortalFormHelper

from ..models import Organisation


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save organisation")

    def clean_name(self):
        # Normalise before the uniqueness check, so "A  Trust" clashes with "A Trust" here
        # and not later in the service.
        return " ".join(self.cleaned_data["name"].split())


class OrganisationMergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Organisation.objects.all(), label="Organisation to keep")
    duplicates = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label="Duplicates to merge into it",
        help_text="Their members move to the organisation you keep; the duplicates are removed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Merge organisations")

    def clean(self):
        cleaned = super().clean()
        keep, duplicates = cleaned.get("keep"), cleaned.get("duplicates")
        if keep and duplicates is not None and not [d for d in duplicates if d.pk != keep.pk]:
            raise forms.ValidationError(
                "Choose at least one duplicate other than the organisation you keep."
            )
        return cleaned
