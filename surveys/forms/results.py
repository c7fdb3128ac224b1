"""The results page's form: which breakdown to show."""

from django import forms
from django.utils.text import Truncator

from cop_portal.web.forms import PortalFormHelper

from ..models import Question

BREAKABLE_KINDS = (*Question.SCALE_KINDS, *Question.CHOICE_KINDS)


class BreakdownForm(forms.Form):
    """Which breakdown to show. Built from the survey's own questions, so a question id from
    another survey, or a free-text question, is simply not a valid choice."""

    by = forms.ChoiceField(label="Break down by")
    question = forms.TypedChoiceField(label="Question", coerce=int)

    def __init__(self, *args, questions, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = list(options.items())
        self.fields["question"].choices = [
            (q.pk, Truncator(q.text).chars(80)) for q in questions if q.kind in BREAKABLE_KINDS
        ]
        self.helper = PortalFormHelper("Show the breakdown")
        self.helper.form_method = "get"

    @property
    def has_questions(self) -> bool:
        """Whether any of the survey's questions can be broken down (free text cannot)."""
        return bool(self.fields["question"].choices)
