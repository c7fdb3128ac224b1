"""The results page as kept (surveys.caching.results_page_kept): its body, drawn from the kept
results for one kind of viewer, and the survey as the page shows it, so that a second look asks
the database nothing. The tests are attacks on what is kept: a page kept for a viewer who sees
every count served to one who may not, one survey's page shown for another, answers not yet
released shown because a page was kept before they were due, and a page outliving a change made
through the services or the results it was drawn from."""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from events.selectors import CAUCUS_CHOICE_PERMISSION
from events.services.organise import event_save
from members.models import AuditEvent
from members.roles import ORGANISERS
from surveys.caching import results_key
from surveys.services.organise import survey_save
from tests.factories import (
    CaucusFactory,
    EventFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    caucus_member,
    permission_give,
    survey_answer,
)
from tests.tasks import tasks_run

pytestmark = pytest.mark.django_db

UNSUPPRESSED = "surveys.view_unsuppressed_results"
NOT_CURRENT = 'id="results-not-current"'


def _url(survey, **params) -> str:
    url = reverse("surveys:results", args=[survey.pk])
    return url + "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else url


def _page(client, survey, **params) -> str:
    response = client.get(_url(survey, **params))
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _figures(page: str) -> dict[str, str]:
    """Each bar of the page's charts: its label and the count said after it."""
    return dict(re.findall(r">([^<>]+): (\d+|hidden)</text>", page))


def _shown(page: str, name: str) -> str:
    """What the page's responses list says for `name` ("Responses", "Invited")."""
    return re.search(rf">{name}</dt>\s*<dd[^>]*>([^<]*)</dd>", page)[1]


@pytest.fixture
def trusted(ground_rules):
    """An organiser allowed to see every count, small ones included."""
    return UserFactory(agreed_to=ground_rules, groups=[ORGANISERS], permissions=[UNSUPPRESSED])


@pytest.fixture
def answered(settings):
    """A named survey five people answered: four "Agree" and one "Strongly disagree", a count
    of one that only someone allowed to see every count may see."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    survey = SurveyFactory(named=True, title="Belonging at work")
    question = QuestionFactory(survey=survey, text="It was useful")
    for value in (4, 4, 4, 4, 1):
        survey_answer(survey, {question: value})
    survey.question = question
    return survey


EVERYTHING = {
    "Strongly disagree": "1",
    "Disagree": "0",
    "Neither agree nor disagree": "0",
    "Agree": "4",
    "Strongly agree": "0",
}
# The one hidden, with a zero beside it that would otherwise give it away (5 answered).
PROTECTED = {
    "Strongly disagree": "hidden",
    "Disagree": "hidden",
    "Neither agree nor disagree": "0",
    "Agree": "4",
    "Strongly agree": "0",
}


# A second look ---------------------------------------------------------------------------------


def test_a_second_look_asks_the_database_nothing(
    organiser_client, answered, django_assert_num_queries
):
    """The survey, its results and the page drawn from them are all kept."""
    first = _page(organiser_client, answered)
    with django_assert_num_queries(0):
        second = _page(organiser_client, answered)
    assert second == first
    assert _figures(second) == PROTECTED
    assert _shown(second, "Responses") == "5"


def test_a_look_at_every_count_is_recorded_each_time_though_the_page_is_kept(
    client, trusted, answered, django_assert_num_queries
):
    client.force_login(trusted)
    assert _figures(_page(client, answered)) == EVERYTHING
    with django_assert_num_queries(1):  # the audit line, and nothing else
        assert _figures(_page(client, answered)) == EVERYTHING
    assert _figures(_page(client, answered)) == EVERYTHING
    looks = AuditEvent.objects.filter(action=AuditEvent.Action.UNSUPPRESSED_RESULTS_VIEWED)
    assert list(looks.values_list("actor", "target_id")) == [(trusted.pk, str(answered.pk))] * 3


# Attacks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["trusted", "organiser"])
def test_the_page_kept_for_someone_who_sees_every_count_never_reaches_a_protected_viewer(
    client, trusted, organiser, answered, first
):
    """Whoever looks first, and however often, each sees the counts meant for them: the count
    of one stays hidden from the organiser."""
    viewers = {"trusted": trusted, "organiser": organiser}
    expected = {"trusted": EVERYTHING, "organiser": PROTECTED}
    order = [first, *(name for name in viewers if name != first)]
    for name in order * 2:
        client.force_login(viewers[name])
        assert _figures(_page(client, answered)) == expected[name], name


@pytest.mark.parametrize("first", ["trusted-with-caucus", "organiser"])
def test_a_caucus_surveys_page_kept_for_someone_trusted_with_caucus_choices_never_reaches_others(
    client, organiser, ground_rules, settings, first
):
    """Three of a caucus's members were invited: how many, told to an organiser not trusted
    with caucus choices, would say how many chose the caucus."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 5
    caucus = CaucusFactory()
    survey = SurveyFactory(caucus=caucus, named=True)
    question = QuestionFactory(survey=survey)
    for _ in range(3):
        survey_answer(survey, {question: 4}, member=caucus_member(caucus))
    trusted_with_caucus = permission_give(
        UserFactory(agreed_to=ground_rules, groups=[ORGANISERS]), CAUCUS_CHOICE_PERMISSION
    )
    viewers = {"trusted-with-caucus": trusted_with_caucus, "organiser": organiser}
    expected = {"trusted-with-caucus": ("3", "3"), "organiser": ("Fewer than 5",) * 2}
    order = [first, *(name for name in viewers if name != first)]
    for name in order * 2:
        client.force_login(viewers[name])
        page = _page(client, survey)
        assert (_shown(page, "Responses"), _shown(page, "Invited")) == expected[name], name


def test_one_surveys_kept_page_never_shows_for_another(organiser_client, answered):
    other = SurveyFactory(named=True, title="Evening sessions")
    question = QuestionFactory(survey=other, text="The time suits me")
    for value in (5, 5, 5):
        survey_answer(other, {question: value})
    for _ in range(2):
        first = _page(organiser_client, answered)
        assert "Belonging at work" in first
        assert "Evening sessions" not in first
        assert _figures(first) == PROTECTED
        second = _page(organiser_client, other)
        assert "Evening sessions" in second
        assert "Belonging at work" not in second
        # Three answers alike: every count hidden, the zeros too (they would give the three).
        assert _figures(second) == {
            "Strongly disagree": "hidden",
            "Disagree": "hidden",
            "Neither agree nor disagree": "hidden",
            "Agree": "hidden",
            "Strongly agree": "hidden",
        }
        assert _shown(second, "Responses") == "3"


def test_answers_not_yet_released_never_show_from_a_page_kept_before_the_survey_closed(
    client, trusted, organiser, settings, django_capture_on_commit_callbacks
):
    """An anonymous survey's answers count only once released: two released together, the
    third waits while the survey is open. Pages kept then, for both kinds of viewer, give way
    to the final results once the survey has closed by the clock alone (no service moved
    anything): the look that finds the release due makes it first."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    now = timezone.now()
    survey = SurveyFactory(opens_at=now - timedelta(days=1), closes_at=now + timedelta(hours=1))
    question = QuestionFactory(survey=survey, text="I belong")
    for value in (4, 4, 2):
        with django_capture_on_commit_callbacks(execute=True):
            survey_answer(survey, {question: value})
    viewers = (trusted, organiser)
    for viewer in viewers * 2:
        client.force_login(viewer)
        page = _page(client, survey)
        assert _shown(page, "Responses") == "2"
        assert "1 more answer is waiting." in page
        assert _figures(page) == {
            "Strongly disagree": "0",
            "Disagree": "0",
            "Neither agree nor disagree": "0",
            "Agree": "2",
            "Strongly agree": "0",
        }

    with time_machine.travel(now + timedelta(hours=2)):
        client.force_login(organiser)
        page = _page(client, survey)
        assert _shown(page, "Responses") == "3"
        assert "more answer" not in page
        assert _figures(page)["Disagree"] == "hidden"
        client.force_login(trusted)
        page = _page(client, survey)
        assert _shown(page, "Responses") == "3"
        assert "more answer" not in page
        assert _figures(page) == {
            "Strongly disagree": "0",
            "Disagree": "1",
            "Neither agree nor disagree": "0",
            "Agree": "2",
            "Strongly agree": "0",
        }


# Freshness -------------------------------------------------------------------------------------


def test_a_new_answer_shows_on_the_next_look(client, trusted, answered):
    client.force_login(trusted)
    assert _figures(_page(client, answered))["Strongly agree"] == "0"
    survey_answer(answered, {answered.question: 5})
    page = _page(client, answered)
    assert _shown(page, "Responses") == "6"
    assert _figures(page) == {**EVERYTHING, "Strongly agree": "1"}


def test_a_release_shows_on_the_next_look(
    organiser_client, settings, django_capture_on_commit_callbacks
):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey)
    with django_capture_on_commit_callbacks(execute=True):
        survey_answer(survey, {question: 4})
    page = _page(organiser_client, survey)
    assert "1 more answer is waiting." in page
    assert 'id="results-hidden"' in page
    assert _page(organiser_client, survey) == page
    with django_capture_on_commit_callbacks(execute=True):
        survey_answer(survey, {question: 4})  # two waiting: released together
    page = _page(organiser_client, survey)
    assert _shown(page, "Responses") == "2"
    assert "more answer" not in page
    assert _figures(page)["Agree"] == "2"


def test_a_new_threshold_shows_on_the_next_look(organiser_client, answered, settings):
    assert _figures(_page(organiser_client, answered)) == PROTECTED
    settings.SURVEY_SUPPRESSION_THRESHOLD = 1
    assert _figures(_page(organiser_client, answered)) == EVERYTHING
    settings.SURVEY_SUPPRESSION_THRESHOLD = 6
    page = _page(organiser_client, answered)
    assert 'id="results-hidden"' in page
    assert _figures(page) == {}
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    assert _figures(_page(organiser_client, answered)) == PROTECTED


def test_a_survey_changed_through_the_service_shows_on_the_next_look(organiser_client, answered):
    assert "Belonging at work" in _page(organiser_client, answered)
    survey_save(survey=answered, title="Belonging at work, spring")
    page = _page(organiser_client, answered)
    assert "<h1>Results: “Belonging at work, spring”</h1>" in page
    assert _figures(page) == PROTECTED


def test_a_session_renamed_through_its_service_shows_on_the_next_look(organiser_client):
    event = EventFactory(title="Allyship in practice")
    survey = SurveyFactory(event=event)
    QuestionFactory(survey=survey)
    for _ in range(2):
        page = _page(organiser_client, survey)
        assert "After a session survey about Allyship in practice, anonymous." in page
    event_save(event=event, title="Allyship at work")
    page = _page(organiser_client, survey)
    assert "After a session survey about Allyship at work, anonymous." in page


def test_a_breakdown_is_drawn_for_its_look_alone(organiser_client, answered):
    plain = _page(organiser_client, answered)
    broken_down = _page(organiser_client, answered, by="sector", question=answered.question.pk)
    assert "by sector</caption>" in broken_down
    assert "by sector</caption>" not in plain
    assert _page(organiser_client, answered) == plain


# Results prepared in the background ----------------------------------------------------------


def _large(settings):
    """Every survey counts as large: its protected results are prepared in the background."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    settings.SURVEY_RESULTS_IN_BACKGROUND_FROM = 1


def test_a_page_drawn_from_the_latest_prepared_results_keeps_their_note_until_newer_are_kept(
    organiser_client, answered, settings, django_assert_num_queries
):
    _large(settings)
    assert 'id="results-preparing"' in _page(organiser_client, answered)
    tasks_run()
    assert NOT_CURRENT not in _page(organiser_client, answered)

    survey_answer(answered, {answered.question: 5})
    stale = _page(organiser_client, answered)
    assert NOT_CURRENT in stale
    assert _shown(stale, "Responses") == "5"
    with django_assert_num_queries(0):  # the newer results are already on their way
        assert _page(organiser_client, answered) == stale

    assert tasks_run() == 1
    fresh = _page(organiser_client, answered)
    assert NOT_CURRENT not in fresh
    assert _shown(fresh, "Responses") == "6"


def test_a_page_is_never_served_once_the_results_it_was_drawn_from_are_gone(
    organiser_client, answered, settings
):
    """Results dropped from the cache (expired or evicted) take their page with them: the page
    says what the results page without it would, here that only the latest prepared results
    are left and newer ones are being prepared."""
    _large(settings)
    _page(organiser_client, answered)
    tasks_run()
    kept = _page(organiser_client, answered)
    assert _page(organiser_client, answered) == kept
    cache.delete(results_key(answered, False))
    page = _page(organiser_client, answered)
    assert NOT_CURRENT in page
    assert _figures(page) == _figures(kept) == PROTECTED


# The spreadsheet -------------------------------------------------------------------------------


def test_the_spreadsheet_gives_the_figures_of_the_kept_page(client, organiser, trusted, answered):
    for viewer in (organiser, trusted):
        client.force_login(viewer)
        _page(client, answered)
        page = _page(client, answered)
        download = client.get(reverse("surveys:results_csv", args=[answered.pk]))
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert rows[1:3] == [
            ["Responses", _shown(page, "Responses")],
            ["Invited", _shown(page, "Invited")],
        ]
        counts = {
            row[1]: row[2]
            for row in rows
            if len(row) == 3 and row[0] == "It was useful" and row[1] in _figures(page)
        }
        assert counts == _figures(page)


def test_what_is_written_behind_the_portals_back_waits_for_the_services_to_move_on(
    organiser_client, member, answered
):
    """The kept page is the one the services' generations name: an invitation written straight
    to the table does not show until a change made through a service moves them on."""
    assert _shown(_page(organiser_client, answered), "Invited") == "5"
    InvitationFactory(survey=answered, member=member)
    assert _shown(_page(organiser_client, answered), "Invited") == "5"
    survey_save(survey=answered, intro="Tell us how it went.")
    assert _shown(_page(organiser_client, answered), "Invited") == "6"


@pytest.mark.parametrize("how", ["one", "selected"])
def test_a_survey_deleted_in_the_admin_takes_its_kept_page_with_it(
    organiser_client, admin_client, how
):
    """Only a survey nobody was invited to may be deleted there (invitations may not be)."""
    survey = SurveyFactory(draft=True, title="Never sent")
    QuestionFactory(survey=survey)
    assert "Never sent" in _page(organiser_client, survey)
    assert "Never sent" in _page(organiser_client, survey)
    if how == "one":
        url = reverse("admin:surveys_survey_delete", args=[survey.pk])
        deleted = admin_client.post(url, {"post": "yes"})
    else:
        url = reverse("admin:surveys_survey_changelist")
        selected = {"action": "delete_selected", "_selected_action": [survey.pk]}
        deleted = admin_client.post(url, {**selected, "post": "yes"})
    assert deleted.status_code == 302
    assert organiser_client.get(_url(survey)).status_code == 404
