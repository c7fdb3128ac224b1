"""Text organisers write into a survey reaches members as text, never as markup.

The attack: a question's hint holding `<button formaction=…>` rendered as HTML inside the survey
form, so a member pressing it posted the form, with its CSRF token, to any address on the site
(it reset a member's calendar address)."""

import pytest
from django.template import Context, Template
from django.utils.html import format_html

from surveys.models import Question
from tests.factories import QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db

BUTTON = '<button formaction="/profile/calendar/reset/" type="submit">Next</button>'
IMAGE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile_survey(member):
    survey = SurveyFactory(title="After the session", invited=[member])
    for order, kind in enumerate(["agreement", "nps", "single", "multiple", "text"], 1):
        QuestionFactory(
            survey=survey,
            kind=kind,
            text=f"<b>Question {order}</b>",
            help_text=BUTTON,
            choices=[IMAGE, "Plain"] if kind in Question.CHOICE_KINDS else [],
        )
    return survey


def test_question_hints_labels_and_options_are_shown_as_text(member_client, hostile_survey):
    html = member_client.get(hostile_survey.get_absolute_url()).content.decode()

    assert "<button formaction" not in html
    assert "<img src=x" not in html
    assert "<b>Question" not in html
    escaped_button = (
        "&lt;button formaction=&quot;/profile/calendar/reset/&quot; "
        "type=&quot;submit&quot;&gt;Next&lt;/button&gt;"
    )
    assert html.count(escaped_button) == 5
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") == 2
    assert html.count("&lt;b&gt;Question") == 5


def test_the_form_help_text_template_escapes_plain_strings_and_keeps_safe_ones():
    """Every help text in the portal goes through this template, whoever wrote it."""

    class Field:
        auto_id = "id_field"

        def __init__(self, help_text):
            self.help_text = help_text

    template = Template('{% include "bootstrap5/layout/help_text.html" %}')
    written = template.render(Context({"field": Field(BUTTON)}))
    built = template.render(Context({"field": Field(format_html("<em>{}</em>", "as built"))}))

    assert "&lt;button formaction=" in written
    assert "<button" not in written
    assert "<em>as built</em>" in built
