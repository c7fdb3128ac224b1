"""Form plumbing every app shares: the crispy helpers, the markup of the busiest forms written
in Python, the browser's own date pickers, and a date range with either end open."""

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


# Forms as markup -----------------------------------------------------------------------------
#
# crispy-forms draws every field, every <option> and every radio button with a template of its
# own: on the resource hub's filters and a survey's questions that was most of the page's time.
# The few forms shown on busy pages are drawn here instead, as crispy's Bootstrap 5 pack draws
# them, element for element: a label for each field, a fieldset and legend for each group of
# radios or boxes, the hint and the errors named by aria-describedby, aria-invalid on a field in
# error (tests/web/test_form_markup.py compares the two).


def _attributes(attrs: dict) -> SafeString:
    """` name="value"` for each attribute, ` name` for one that is simply true, none for False
    or None, in the order given."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False and value is not None:
            parts.append(format_html(' {}="{}"', name, value))
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html


def _label_text(field) -> SafeString:
    star = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    return format_html("{}{}", field.label, star)


def _widget_attrs(field, classes: str) -> dict:
    """The widget's own attributes with Django's (required, aria-invalid, aria-describedby),
    its id, and the classes crispy gives it: the widget's name and Bootstrap's."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(dict(widget.attrs))
    own = attrs.pop("class", "")
    state = " is-invalid" if field.errors else ""
    attrs = {"class": f"{own} {type(widget).__name__.lower()} {classes}{state}".strip(), **attrs}
    attrs.setdefault("id", field.auto_id)
    return attrs


def field_errors(field, *, tag: str = "span", classes: str = "invalid-feedback") -> SafeString:
    """A field's errors, each in its own element, in the block its aria-describedby names."""
    if not field.errors:
        return SafeString()
    return format_html(
        '<div id="{}_error" class="{}">{}</div>',
        field.auto_id,
        classes,
        format_html_join(
            "",
            "<" + tag + ' id="error_{}_{}"><strong>{}</strong></' + tag + ">",
            ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
        ),
    )


def field_help(field) -> SafeString:
    # Escaped as text (templates/bootstrap5/layout/help_text.html says why); help written in
    # code that needs markup is made with format_html, and so arrives safe.
    if not field.help_text:
        return SafeString()
    return format_html(
        '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
    )


def _select(field) -> SafeString:
    widget = field.field.widget
    chosen = set(widget.format_value(field.value()))
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(value), _attributes({"selected": str(value) in chosen}), label)
            for value, label in widget.choices
        ),
    )
    attrs = {"name": field.html_name, **_widget_attrs(field, "form-select")}
    return format_html("<select{}>{}</select>", _attributes(attrs), options)


def _textarea(field) -> SafeString:
    attrs = {"name": field.html_name, **_widget_attrs(field, "form-control")}
    value = field.field.widget.format_value(field.value()) or ""
    return format_html("<textarea{}>\n{}</textarea>", _attributes(attrs), value)


def _input(field) -> SafeString:
    widget = field.field.widget
    attrs = {"type": widget.input_type, "name": field.html_name}
    value = widget.format_value(field.value())
    if value is not None:
        attrs["value"] = value
    attrs.update(_widget_attrs(field, "form-control"))
    return format_html("<input{}>", _attributes(attrs))


def _choices(field) -> SafeString:
    """Radio buttons or boxes, each with its label; the errors inside the last, as crispy
    puts them."""
    widget = field.field.widget
    chosen = set(widget.format_value(field.value()))
    required = field.field.required and widget.use_required_attribute(field.initial)
    options = list(widget.choices)
    rows = []
    for index, (value, label) in enumerate(options):
        option_id = f"{field.auto_id}_{index}"
        attrs = {
            "type": widget.input_type,
            "class": "form-check-input" + (" is-invalid" if field.errors else ""),
            "name": field.html_name,
            "value": str(value),
            "id": option_id,
            "required": required,
            "checked": str(value) in chosen,
            "aria-invalid": "true" if field.errors else None,
        }
        last = field_errors(field, tag="p") if index == len(options) - 1 else ""
        rows.append(
            format_html(
                '<div class="form-check"><input{}><label for="{}" class="form-check-label">'
                "{}</label>{}</div>",
                _attributes(attrs),
                option_id,
                label,
                last,
            )
        )
    return format_html("<div>{}</div>", mark_safe("".join(rows)))  # noqa: S308 - each escaped


def field_markup(field) -> SafeString:
    """One field, as crispy's Bootstrap 5 pack draws it."""
    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return fieldset_markup(field, _choices(field) + field_help(field))
    if isinstance(widget, forms.Select):
        control = _select(field)
    elif isinstance(widget, forms.Textarea):
        control = _textarea(field)
    else:
        control = _input(field)
    required = " requiredField" if field.field.required else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}</label>{}{}{}</div>',
        field.auto_id,
        field.id_for_label,
        required,
        _label_text(field),
        control,
        field_errors(field),
        field_help(field),
    )


def fieldset_markup(field, inside: SafeString) -> SafeString:
    """A group of radios or boxes: a fieldset described by its hint and errors, and its
    question as the legend."""
    describedby = field.aria_describedby
    required = " requiredField" if field.field.required else ""
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset{}><legend class="form-label{} fs-6">{}'
        "</legend>{}</fieldset></div>",
        field.auto_id,
        _attributes({"aria-describedby": describedby or None}),
        required,
        _label_text(field),
        inside,
    )


def form_markup(form, *, drawn_by=None) -> SafeString:
    """The form's errors that belong to no field, then each of its fields; `drawn_by` maps a
    field's name to a function drawing it otherwise."""
    drawn_by = drawn_by or {}
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
            )
        )
    parts += [field.as_widget() for field in form.hidden_fields()]
    for field in form.visible_fields():
        parts.append(drawn_by.get(field.name, field_markup)(field))
    return mark_safe("".join(conditional_escape(part) for part in parts))  # noqa: S308


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


# Forms in kept markup ------------------------------------------------------------------------
#
# A page part kept between requests may draw a form, but never with a CSRF token in it: the
# token is one visitor's. It is drawn with this placeholder as the token, and each request puts
# its own in as the part is served.

# Stands for the CSRF token in kept markup (not a secret: it is replaced before serving).
KEPT_TOKEN_PLACEHOLDER = "csrf-token-placeholder"  # noqa: S105
# Where the token goes: the hidden field, quotes and all, which no escaped text can spell.
_KEPT_TOKEN_FIELD = f'name="csrfmiddlewaretoken" value="{KEPT_TOKEN_PLACEHOLDER}"'


def kept_forms_with_token(html: str, token: str) -> SafeString:
    """Kept markup drawn with KEPT_TOKEN_PLACEHOLDER as its forms' CSRF token, with this
    request's token (Django's own: letters and digits) in its place."""
    field = f'name="csrfmiddlewaretoken" value="{token}"'
    return mark_safe(html.replace(_KEPT_TOKEN_FIELD, field))  # noqa: S308 - our own rendering
