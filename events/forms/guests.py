"""Forms for inviting senior leaders as guests, recording which came, and a guest's reply."""

from crispy_forms.layout import Fieldset, Layout
from django import forms

from cop_portal.web.forms import InnerFormHelper, PortalFormHelper

from ..models import Guest


class GuestForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=[("", "Choose…"), *Guest.Role.choices])
    job_title = forms.CharField(max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank sets are left out; a set with anything in it needs its name, email and role.
        self.empty_permitted = True


class GuestRowsHelper(InnerFormHelper):
    render_hidden_fields = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = Layout(
            Fieldset(
                "Guest {{ forloop.counter }}", "name", "email", "role", "job_title", "organisation"
            )
        )


GuestFormSet = forms.formset_factory(GuestForm, extra=3, max_num=20, absolute_max=20)


class GuestCheckboxesField(forms.MultipleChoiceField):
    """The ids of the guests ticked; anything that is not a whole number is dropped, and the
    service keeps only this session's guests, so a stale page still saves."""

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


class GuestAttendanceForm(forms.Form):
    present = GuestCheckboxesField(required=False, label="Guests who came")

    def __init__(self, *args, guests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (
                g.pk,
                f"{g.name}, {g.get_role_display()}"
                + (f", {g.organisation}" if g.organisation else ""),
            )
            for g in guests
        ]
        self.helper = PortalFormHelper("Save guests' attendance")
