"""The organisers' pages for reusing surveys: starting from a template, copying an earlier
survey, and choosing the survey sent after a session; and templates kept off the pages members
and the dashboard see."""

import html as html_lib
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members.services import starter
from surveys.models import Invitation, StandardSurvey, Survey
from surveys.services.reuse import standard_surveys_make, survey_templates_load
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    QuestionFactory,
    SurveyFactory,
    survey_answer,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1


@pytest.fixture
def templates():
    survey_templates_load(
        json.loads((starter.STARTER_DIR / "survey_templates.json").read_text(encoding="utf-8"))
    )
    return {t.kind: t for t in Survey.objects.filter(is_template=True)}


def _text(fragment):
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _copy_data(**fields):
    return {
        "title": "After the maternity session",
        "opens_at": f"{NEXT_YEAR}-07-01T10:00",
        "closes_at": f"{NEXT_YEAR}-07-15T10:00",
        **fields,
    }


def test_the_list_offers_the_templates_apart_from_the_surveys(organiser_client, templates):
    SurveyFactory(title="Spring pulse")

    page = organiser_client.get(reverse("surveys:organise")).content.decode()

    table = re.search(r"<table.*?</table>", page, re.S).group(0)
    assert "1 survey, newest first." in _text(table)
    for template in templates.values():
        assert template.title not in table
        assert reverse("surveys:survey_copy", args=[template.pk]) in page
    # In the order of the kinds: after a session first.
    offered = [
        page.index(reverse("surveys:survey_copy", args=[templates[kind].pk]))
        for kind in Survey.Kind.values
    ]
    assert offered == sorted(offered)
    new = organiser_client.get(reverse("surveys:survey_new")).content.decode()
    assert "Start from a template" in new
    assert reverse("surveys:survey_copy", args=[templates["check_in"].pk]) in new


def test_a_survey_from_a_template_opens_as_a_draft_to_edit(organiser_client, templates):
    session = EventFactory(past=True, title="Maternity and racism")
    template = templates[Survey.Kind.POST_EVENT]
    url = reverse("surveys:survey_copy", args=[template.pk])

    form = organiser_client.get(url)
    assert form.context["form"].initial["title"] == template.title
    response = organiser_client.post(url, _copy_data(event=session.pk))

    made = Survey.objects.get(is_template=False)
    assert response.url == reverse("surveys:survey_detail", args=[made.pk])
    assert (made.title, made.event, made.status) == (
        "After the maternity session", session, "draft",
    )  # fmt: skip
    assert made.questions.count() == template.questions.count()
    page = organiser_client.get(response.url).content.decode()
    assert "Draft: members cannot see it" in _text(page)
    assert reverse("surveys:publish", args=[made.pk]) in page


@pytest.mark.parametrize(
    ("kind", "field", "message"),
    [
        (Survey.Kind.POST_EVENT, "event", "Choose the session this survey follows."),
        (Survey.Kind.CAUCUS, "caucus", "Choose the caucus this survey is for."),
    ],
)
def test_a_missing_session_or_caucus_is_a_form_error(
    organiser_client, templates, kind, field, message
):
    url = reverse("surveys:survey_copy", args=[templates[kind].pk])

    response = organiser_client.post(url, _copy_data())

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in html_lib.unescape(response.content.decode())
    assert not Survey.objects.filter(is_template=False).exists()


def test_a_copy_of_an_answered_survey_starts_with_nobody_asked(organiser_client):
    caucus = CaucusFactory()
    source = SurveyFactory(caucus=caucus, title="Caucus pulse", named=True)
    question = QuestionFactory(survey=source)
    survey_answer(source, {question: 5})
    url = reverse("surveys:survey_copy", args=[source.pk])

    assert organiser_client.get(url).context["form"].initial["title"] == "Caucus pulse (copy)"
    organiser_client.post(url, _copy_data(title="Caucus pulse again", caucus=caucus.pk))

    made = Survey.objects.get(title="Caucus pulse again")
    assert (made.kind, made.caucus, made.is_anonymous) == ("caucus", caucus, False)
    assert not Invitation.objects.filter(survey=made).exists()
    assert not made.has_answers()


def test_a_templates_page_offers_no_publishing_inviting_or_results(organiser_client, templates):
    template = templates[Survey.Kind.COP_WIDE]

    page = organiser_client.get(reverse("surveys:survey_detail", args=[template.pk]))

    html = page.content.decode()
    assert "A template is never sent to anyone and has no results" in _text(html)
    assert reverse("surveys:survey_copy", args=[template.pk]) in html
    for name in ("surveys:publish", "surveys:invite", "surveys:results"):
        assert reverse(name, args=[template.pk]) not in html
    assert reverse("surveys:short", args=[template.short_code]) not in html
    assert organiser_client.get(reverse("surveys:results", args=[template.pk])).status_code == 404
    edit = organiser_client.get(reverse("surveys:survey_edit", args=[template.pk]))
    assert set(edit.context["form"].fields) == {"title", "kind", "intro", "is_anonymous"}


def test_a_member_cannot_reach_a_template_by_its_address(member_client, templates):
    template = templates[Survey.Kind.COP_WIDE]

    assert member_client.get(reverse("surveys:respond", args=[template.slug])).status_code == 404
    short = member_client.get(reverse("surveys:short", args=[template.short_code]), follow=True)
    assert short.status_code == 404
    assert template.title not in member_client.get(reverse("surveys:waiting")).content.decode()


def test_the_dashboard_counts_no_template(client, steering_member, templates):
    client.force_login(steering_member)

    page = client.get(reverse("members:dashboard")).content.decode()

    for template in templates.values():
        assert template.title not in page


# The survey after a session ------------------------------------------------------------------


def test_organisers_choose_the_survey_sent_after_a_session(organiser_client, templates):
    session = EventFactory(title="Naming racism")
    url = reverse("surveys:standard_survey", args=[session.pk])
    template = templates[Survey.Kind.POST_EVENT]

    form = organiser_client.get(url)
    choices = [label for _, label in form.context["form"].fields["template"].choices]
    assert choices == ["None", template.title]  # templates for after a session only
    response = organiser_client.post(url, {"template": template.pk})

    assert response.url == reverse("events:organise_programme")
    assert StandardSurvey.objects.get(event=session).template == template
    page = organiser_client.get(url).content.decode()
    assert f"Chosen now: “{template.title}”" in html_lib.unescape(page)
    programme = organiser_client.get(reverse("events:organise_programme")).content.decode()
    assert url in programme


def test_once_made_the_choice_is_kept_and_the_page_says_where_it_is(organiser_client, templates):
    session = EventFactory(past=True)
    AttendanceFactory(event=session)
    url = reverse("surveys:standard_survey", args=[session.pk])
    organiser_client.post(url, {"template": templates[Survey.Kind.POST_EVENT].pk})
    standard_surveys_make()
    made = Survey.objects.get(event=session, is_standard_for_event=True)

    response = organiser_client.post(url, {"template": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": [
            "The survey after this session has already been made: change it on its own page."
        ]
    }
    assert StandardSurvey.objects.filter(event=session).exists()
    assert reverse("surveys:survey_detail", args=[made.pk]) in response.content.decode()


def test_the_admin_refuses_a_survey_after_a_session_with_no_session(admin_client):
    """The checks that name whether a survey is a template still run on a form that does not
    set it: a form error, not a failure in the database."""
    survey = SurveyFactory(title="Pulse")
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    data = {
        "title": "Pulse", "slug": survey.slug, "kind": "post_event", "intro": "",
        "is_anonymous": "on", "status": "published",
        "opens_at_0": "01/07/2030", "opens_at_1": "10:00",
        "closes_at_0": "15/07/2030", "closes_at_1": "10:00",
        "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0",
    }  # fmt: skip

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Choose the session this survey follows." in response.content.decode()
    assert Survey.objects.get(pk=survey.pk).kind == "cop_wide"
