"""Forms for a member's data rights: confirming that an account should be erased."""

from django import forms
from django.urls import reverse

from cop_portal.web.forms import PortalFormHelper

DELETE_PHRASE = "delete my account"


class AccountDeleteForm(forms.Form):
    """The member proves it is them: their password, or, for an account that signs in only
    through Microsoft and so has none, a typed phrase."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    phrase = forms.CharField(
        label=f"Type “{DELETE_PHRASE}” to confirm",
        max_length=100,
        help_text="Your account has no password because you sign in with Microsoft.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["phrase"]
        else:
            del self.fields["password"]
        self.helper = PortalFormHelper("Delete my account for good")
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your password. Your account has not been deleted."
            )
        return password

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"]
        if " ".join(phrase.lower().split()) != DELETE_PHRASE:
            raise forms.ValidationError(
                f"Type “{DELETE_PHRASE}” exactly to confirm. Your account has not been deleted."
            )
        return phrase


class MemberLookupForm(forms.Form):
    email = forms.EmailField(label="The member’s email address", max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper("Find the member")
        self.helper.form_method = "get"
        self.helper.disable_csrf = True


class MemberEraseForm(forms.Form):
    """An organiser confirms an erasure by typing the member's email address."""

    confirm_email = forms.CharField(
        label="Type the member’s email address to confirm", max_length=254
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.helper = PortalFormHelper("Erase this member’s data")
        self.helper.form_action = reverse("members:member_data_erase", args=[member.pk])
        self.helper.inputs[0].field_classes = "btn btn-danger"

    def clean_confirm_email(self):
        typed = self.cleaned_data["confirm_email"].strip().lower()
        if typed != self.member.email.lower():
            raise forms.ValidationError(
                "That is not this member’s email address. Nothing has been erased."
            )
        return typed
