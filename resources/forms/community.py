"""Members' forms for learning pathways, case studies and the initiatives directory."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from cop_portal.web.forms import FilterHelper, PortalFormHelper

from ..models import CaseStudy, Initiative, Topic
from ..selectors.community import organisations_with_initiatives

REFLECTION_MAX_LENGTH = 5000


class StepDoneForm(forms.Form):
    done = forms.ChoiceField(choices=[("yes", "Done"), ("no", "Not done")])


class ReflectionForm(forms.Form):
    """A member's private notes on one pathway step. Several sit on one page, so each gets
    its own ids from the step, and a label that names the step for screen readers."""

    text = forms.CharField(
        required=False,
        help_text="Only you can read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, step_id, step_number, action, **kwargs):
        kwargs.setdefault("auto_id", f"id_step{step_id}_%s")
        super().__init__(*args, **kwargs)
        self.fields["text"].label = f"Your reflection on step {step_number}"
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(
            Submit("submit", f"Save reflection on step {step_number}", css_id=f"save-{step_id}")
        )

    def clean_text(self):
        # Browsers send line breaks as two characters; count them as the member sees them.
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if len(text) > REFLECTION_MAX_LENGTH:
            raise forms.ValidationError(
                f"Your reflection is {len(text):,} characters long: it can be up to "
                f"{REFLECTION_MAX_LENGTH:,}. Shorten it and save it again (your text is "
                "still here)."
            )
        return text


class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = [
            "title",
            "context",
            "what_we_did",
            "what_changed",
            "to_share",
            "topics",
            "credit_author",
        ]
        help_texts = {
            "what_we_did": "The steps you took, and who was involved.",
            "what_changed": "For patients, service users, staff or the community: what is "
            "different now, and how you know.",
            "to_share": "Advice, pitfalls, or materials others could reuse.",
            "credit_author": "Untick to be credited as “A CoP member” instead of by name.",
        }
        widgets = {
            "context": forms.Textarea(attrs={"rows": 5}),
            "what_we_did": forms.Textarea(attrs={"rows": 6}),
            "what_changed": forms.Textarea(attrs={"rows": 5}),
            "to_share": forms.Textarea(attrs={"rows": 4}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save as draft")


class InitiativeFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=organisations_with_initiatives(),
        required=False,
        empty_label="Any organisation",
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), required=False, empty_label="Any topic"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Initiative.Status.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FilterHelper()
