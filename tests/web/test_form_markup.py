"""The busiest forms are drawn in Python (cop_portal.web.forms) rather than by crispy-forms,
which spends a template on every option and radio button. What a screen reader is given must
not change: each is compared, element by element and attribute by attribute, with what crispy's
Bootstrap 5 pack draws for the same form, unbound, filled in and with errors."""

from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.utils import render_crispy_form

from cop_portal.web.forms import form_markup
from resources.forms.hub import BrowseForm
from surveys.forms.respond import ResponseForm
from tests.factories import (
    EventFactory,
    QuestionFactory,
    ResourceFactory,
    SurveyFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

VOID = {"input", "br", "img", "meta", "link", "hr"}


class _Tree(HTMLParser):
    """The markup as nested (tag, attributes, children), text with its spaces collapsed, a
    class as the set of its names, and an empty class attribute dropped."""

    def __init__(self, html):
        super().__init__()
        self.root = ("root", {}, [])
        self.open = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {}
        for name, value in attrs:
            if name == "class":
                if value and value.split():
                    attributes[name] = frozenset(value.split())
            else:
                attributes[name] = value
        node = (tag, attributes, [])
        self.open[-1][2].append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag not in VOID:
            assert self.open[-1][0] == tag, f"</{tag}> closes <{self.open[-1][0]}>"
            self.open.pop()

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.open[-1][2].append(text)


def _tree(html: str):
    return _Tree(html).root


def _crispy(form) -> str:
    helper = FormHelper()
    helper.form_tag = False
    return render_crispy_form(form, helper)


def _browse_forms():
    topic = TopicFactory(name="Housing & health")
    event = EventFactory(past=True, title="Windrush <and> after")
    ResourceFactory(event=event, status="published")
    yield BrowseForm()
    chosen = BrowseForm({"kind": "slides", "topic": str(topic.pk), "event": str(event.pk),
                         "date_from": "2024-01-01", "sort": "title"})  # fmt: skip
    chosen.is_valid()
    yield chosen
    wrong = BrowseForm({"kind": "nonsense", "date_from": "2024-02-01", "date_to": "2024-01-01",
                        "topic": "999999"})  # fmt: skip
    wrong.is_valid()
    yield wrong


def _survey_questions():
    survey = SurveyFactory()
    QuestionFactory(survey=survey, text="It was <useful>", help_text="Think of the talks & more.")
    QuestionFactory(survey=survey, text="Which part?", kind="single", choices=["Talks", "Groups"])
    QuestionFactory(survey=survey, text="Which parts?", kind="multiple", choices=["A", "B & C"],
                    required=False)  # fmt: skip
    QuestionFactory(survey=survey, text="Anything else?", kind="text", required=False,
                    help_text="Optional.")  # fmt: skip
    return list(survey.questions.prefetch_related("choices").order_by("order", "pk"))


def _response_forms():
    questions = _survey_questions()
    names = [f"q{q.pk}" for q in questions]
    yield ResponseForm(questions=questions)
    picks = [str(c.pk) for c in questions[2].choices.all()]
    filled = ResponseForm(
        {names[0]: "4", names[1]: str(questions[1].choices.first().pk), names[2]: picks,
         names[3]: "More <time> & space"},
        questions=questions,
    )  # fmt: skip
    assert filled.is_valid()
    yield filled
    wrong = ResponseForm({names[2]: ["zzz"], names[3]: "x" * 5001}, questions=questions)
    assert not wrong.is_valid()
    yield wrong


@pytest.mark.parametrize("forms", [_browse_forms, _response_forms])
def test_each_form_is_drawn_as_crispy_draws_it(forms):
    for form in forms():
        assert _tree(form_markup(form)) == _tree(_crispy(form))


def test_the_browse_page_draws_its_filters_as_crispy_did(client, db):
    page = client.get("/resources/", {"kind": "nonsense"}).text
    assert '<select name="kind" class="select form-select is-invalid"' in page
    assert 'aria-invalid="true" aria-describedby="id_kind_error" id="id_kind">' in page
    assert '<div id="id_kind_error" class="invalid-feedback"><span id="error_1_id_kind">' in page


def test_a_0_to_10_question_is_one_radio_group_in_a_fieldset_described_by_its_hint_and_errors():
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey, text="Would you recommend the CoP?", kind="nps")
    name = f"q{question.pk}"
    form = ResponseForm({}, questions=[question])
    assert not form.is_valid()
    root = _tree(form.markup())
    (div,) = root[2]
    assert div[:2] == ("div", {"id": f"div_id_{name}", "class": frozenset({"mb-3"})})
    (fieldset,) = div[2]
    assert fieldset[:2] == ("fieldset", {"aria-describedby": f"id_{name}_helptext id_{name}_error"})
    legend, hint, scale, ends, errors = fieldset[2]
    assert legend == (
        "legend",
        {"class": frozenset({"form-label", "fs-6", "requiredField"})},
        ["Would you recommend the CoP?", ("span", {"class": frozenset({"asteriskField"})}, ["*"])],
    )
    assert hint == (
        "div",
        {"id": f"id_{name}_helptext", "class": frozenset({"form-text"})},
        ["0 is not at all likely, 10 is extremely likely."],
    )
    buttons = scale[2]
    assert len(buttons) == 22
    for n in range(11):
        radio, label = buttons[2 * n], buttons[2 * n + 1]
        assert radio == ("input", {
            "type": "radio", "name": name, "value": str(n), "class": frozenset({"btn-check"}),
            "id": f"id_{name}_{n}", "required": None, "aria-invalid": "true",
        }, [])  # fmt: skip
        assert label[1] == {
            "for": f"id_{name}_{n}",
            "class": frozenset({"btn", "btn-outline-primary", "border-danger"}),
        }
    hidden = frozenset({"visually-hidden"})
    assert buttons[1][2] == ["0", ("span", {"class": hidden}, ["– not at all likely"])]
    assert buttons[21][2] == ["10", ("span", {"class": hidden}, ["– extremely likely"])]
    assert buttons[3][2] == ["1"]
    assert ends[1] == {"class": frozenset({"nps-scale-ends"}), "aria-hidden": "true"}
    assert errors == (
        "div",
        {"id": f"id_{name}_error", "class": frozenset({"invalid-feedback", "d-block"})},
        [("p", {"id": f"error_1_id_{name}"}, [("strong", {}, ["This field is required."])])],
    )
    chosen = ResponseForm({name: "7"}, questions=[question])
    assert chosen.is_valid()
    assert f'value="7" class="btn-check" id="id_{name}_7" required checked>' in chosen.markup()
