"""The members' answering form."""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from cop_portal.web.forms import field_errors, field_help, fieldset_markup, form_markup

from ..models import Question

NPS_ENDS = {0: "not at all likely", 10: "extremely likely"}


def _field_name(question) -> str:
    return f"q{question.pk}"


class ResponseForm(forms.Form):
    """The survey as a form: one field per question, built from the questions themselves, so a
    tampered question id or a choice that is not on the list is refused as invalid."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[_field_name(question)] = self._field(question)
        self.scales = {_field_name(q) for q in questions if q.kind == Question.Kind.NPS}

    def markup(self) -> SafeString:
        """The questions as markup (cop_portal.web.forms), each 0 to 10 question as a row of
        buttons."""
        return form_markup(self, drawn_by=dict.fromkeys(self.scales, _scale_markup))

    @staticmethod
    def _field(question):
        common = {"label": question.text, "required": question.required,
                  "help_text": question.help_text}  # fmt: skip
        if question.kind == Question.Kind.AGREEMENT:
            choices = [(str(v), f"{v} – {label}") for v, label in Question.AGREEMENT_LABELS.items()]
            return forms.TypedChoiceField(
                choices=choices, coerce=int, widget=forms.RadioSelect, **common
            )
        if question.kind == Question.Kind.NPS:
            choices = [(str(v), str(v)) for v in range(11)]
            common["help_text"] = (
                common["help_text"] or "0 is not at all likely, 10 is extremely likely."
            )
            return forms.TypedChoiceField(
                choices=choices, coerce=int, widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                **common,
            )  # fmt: skip
        if question.kind in Question.CHOICE_KINDS:
            # Options come from the prefetched choices: a model choice field would query the
            # database again for every choice question, on every render and every validation.
            options = {str(c.pk): c for c in question.choices.all()}
            multiple = question.kind == Question.Kind.MULTIPLE
            field = forms.TypedMultipleChoiceField if multiple else forms.TypedChoiceField
            return field(
                choices=[(pk, c.text) for pk, c in options.items()],
                coerce=options.__getitem__,
                widget=forms.CheckboxSelectMultiple if multiple else forms.RadioSelect,
                **common,
            )
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)

    def answers(self) -> dict:
        """{question: cleaned value} for the service."""
        return {q: self.cleaned_data.get(_field_name(q)) for q in self.questions}


def _scale_markup(field) -> SafeString:
    """A 0 to 10 question as one row of buttons (which wraps on a narrow screen) instead of
    eleven stacked radios: still a radio group in a fieldset, so arrow keys move along it. The
    ends' meanings are in the labels of 0 and 10 for screen readers, and shown under the row
    for everyone else."""
    chosen = set(field.field.widget.format_value(field.value()))
    invalid = " border-danger" if field.errors else ""
    buttons = []
    for index, (value, label) in enumerate(field.field.widget.choices):
        option_id = f"{field.auto_id}_{index}"
        end = NPS_ENDS.get(int(value))
        buttons.append(
            format_html(
                '<input type="radio" name="{}" value="{}" class="btn-check" id="{}"{}{}{}>'
                '<label for="{}" class="btn btn-outline-primary{}">{}{}</label>',
                field.html_name,
                value,
                option_id,
                mark_safe(" required") if field.field.required else "",
                mark_safe(" checked") if str(value) in chosen else "",
                mark_safe(' aria-invalid="true"') if field.errors else "",
                option_id,
                invalid,
                label,
                format_html('<span class="visually-hidden"> – {}</span>', end) if end else "",
            )
        )
    # Shown under the row whatever comes before it.
    errors = field_errors(field, tag="p", classes="invalid-feedback d-block")
    return fieldset_markup(
        field,
        format_html(
            '{}<div class="nps-scale">{}</div><div class="nps-scale-ends" aria-hidden="true">'
            "<span>Not at all likely</span><span>Extremely likely</span></div>{}",
            field_help(field),
            format_html_join("", "{}", ((b,) for b in buttons)),
            errors,
        ),
    )
