"""Forms for the joining content: pages, the ground rules (drafting them, agreeing to them)
and the glossary."""

from django import forms
from django.urls import reverse

from cop_portal.web.forms import PortalFormHelper

from ..models import ContentPage, GlossaryTerm, GroundRules


class ContentPageForm(forms.ModelForm):
    class Meta:
        model = ContentPage
        fields = ["title", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save page")


class GroundRulesForm(forms.ModelForm):
    class Meta:
        model = GroundRules
        fields = ["body", "change_summary"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save draft")


class GroundRulesAgreeForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    agree = forms.BooleanField(
        label="I have read the ground rules and agree to follow them", required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Agree to the ground rules")
        self.helper.form_action = reverse("members:ground_rules_agree")


class GlossaryTermForm(forms.ModelForm):
    class Meta:
        model = GlossaryTerm
        fields = ["term", "definition"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Save term")
