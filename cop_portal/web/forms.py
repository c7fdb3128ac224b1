"""Form plumbing every app shares: the crispy helpers, the browser's own date pickers, and a
date range with either end open."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

UK_TIME_HELP = "UK time (GMT in winter, BST in summer)."
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Dates outside this range are typing mistakes, and the far end would overflow date arithmetic.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2999, 12, 31)


class PortalFormHelper(FormHelper):
    """One crispy helper for every form: the submit button carries the given label."""

    def __init__(self, submit_label, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_input(Submit("submit", submit_label))


class FilterHelper(PortalFormHelper):
    """The helper of the filters above a list: they go in the address, so a filtered list can
    be bookmarked and paged through."""

    _form_method = "get"

    def __init__(self, *args, **kwargs):
        super().__init__("Filter", *args, **kwargs)


class InnerFormHelper(FormHelper):
    """For a form drawn inside the page's own <form> (beside a formset), which carries the
    token and the button."""

    form_tag = False
    disable_csrf = True


class FormsetRowsHelper(InnerFormHelper):
    """Each form of a formset in a numbered fieldset, with its box to delete the row."""

    render_hidden_fields = True
    legend = ""
    fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = Layout(
            Fieldset(f"{self.legend} {{{{ forloop.counter }}}}", *self.fields, "DELETE")
        )


def date_input(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def bounded_date_field(label: str) -> forms.DateField:
    """An optional date between EARLIEST and LATEST, picked in the browser."""
    return forms.DateField(
        label=label,
        required=False,
        widget=date_input(min=EARLIEST.isoformat(), max=LATEST.isoformat()),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )


class DateRangeForm(forms.Form):
    """From and to dates, either left open; the end may not come before the start."""

    start = bounded_date_field("From")
    end = bounded_date_field("To")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date.")
        return cleaned
