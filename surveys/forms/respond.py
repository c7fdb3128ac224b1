"""The members' answering form."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms

from ..models import Question

# The 0 to 10 question as one row of buttons (which wraps on a narrow screen) instead of eleven
# stacked radios: still a radio group in a fieldset, so arrow keys move along it.
NPS_TEMPLATE = "surveys/_nps_field.html"


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
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*(
            Field(_field_name(q), template=NPS_TEMPLATE) if q.kind == Question.Kind.NPS
            else _field_name(q)
            for q in questions
        ))  # fmt: skip

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
