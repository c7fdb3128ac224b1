"""A large survey's protected results are prepared by a worker (surveys.tasks.results_prepare),
not in the request: the page says they are being prepared, or shows the latest prepared ones
and says they leave out newer answers. The attacks: a viewer getting results prepared for a
viewer who may see more, and results that never catch up with new answers."""

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cop_portal.web import disclosure
from cop_portal.web.disclosure import WITHHELD_NOTE, Grouping, disclose
from members.models import GroundRules
from members.roles import ORGANISERS
from surveys.models import Survey
from surveys.services.release import releases_run
from surveys.services.respond import response_submit
from tests.factories import (
    InvitationFactory,
    QuestionFactory,
    SurveyFactory,
    UserFactory,
    survey_answer,
)
from tests.tasks import tasks_run

PREPARE = "surveys.tasks.results_prepare"


def _queued() -> list:
    return list(
        DBTaskResult.objects.filter(task_path=PREPARE).values_list("args_kwargs", "queue_name")
    )


def _large(settings):
    """Every survey counts as large: its protected results are prepared in the background."""
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    settings.SURVEY_RESULTS_IN_BACKGROUND_FROM = 1


def _answered_by_three(settings):
    """A named survey counted as large, three answers to its one question, and its results'
    address."""
    _large(settings)
    survey = SurveyFactory(named=True)
    question = QuestionFactory(survey=survey, text="It was useful")
    for value in (4, 4, 5):
        survey_answer(survey, {question: value})
    return survey, question, reverse("surveys:results", args=[survey.pk])


def test_a_large_surveys_results_are_prepared_by_a_worker_and_the_page_says_so(
    organiser_client, settings
):
    survey, _, url = _answered_by_three(settings)

    first = organiser_client.get(url)
    assert first.status_code == 200
    assert 'id="results-preparing"' in first.text
    assert "results" not in first.context
    # Reloading does not queue a second preparation while one is in hand.
    assert organiser_client.get(url).status_code == 200
    assert _queued() == [({"args": [survey.pk, False], "kwargs": {}}, "results")]
    # The spreadsheet waits for the same preparation: its link leads back to the page.
    download = organiser_client.get(reverse("surveys:results_csv", args=[survey.pk]))
    assert (download.status_code, download["Location"]) == (302, url)

    assert tasks_run() == 1
    ready = organiser_client.get(url)
    assert ready.context["results"].responses == 3
    assert ready.context["not_current_note"] is None
    assert 'id="results-not-current"' not in ready.text
    assert len(_queued()) == 1


def test_a_new_answer_shows_the_latest_prepared_results_with_a_note_until_the_next_are_ready(
    organiser_client, settings
):
    survey, question, url = _answered_by_three(settings)
    organiser_client.get(url)
    tasks_run()

    survey_answer(survey, {question: 3})
    stale = organiser_client.get(url)
    assert stale.context["results"].responses == 3
    assert stale.context["not_current_note"].startswith("These results were worked out at ")
    assert 'id="results-not-current"' in stale.text
    download = organiser_client.get(reverse("surveys:results_csv", args=[survey.pk]))
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[1][0] == "Note"
    assert rows[1][1].startswith("These results were worked out at ")
    assert rows[1][1].endswith(
        "(UK time) and leave out answers given since: newer results are being prepared."
    )
    assert rows[2:4] == [["Responses", "3"], ["Invited", "3"]]

    assert tasks_run() == 1
    fresh = organiser_client.get(url)
    assert fresh.context["results"].responses == 4
    assert fresh.context["not_current_note"] is None


def test_results_prepared_for_someone_who_sees_everything_never_reach_a_protected_viewer(
    client, organiser, settings
):
    """The one allowed to see every count looks first (worked out at once, no audit); an
    organiser looking next must wait for protected results, never get those."""
    _large(settings)
    survey = SurveyFactory(named=True)
    question = QuestionFactory(survey=survey, text="It was useful")
    for value in (4, 4, 4, 4, 1):
        survey_answer(survey, {question: value})
    trusted = UserFactory(
        agreed_to=GroundRules.objects.get(), groups=[ORGANISERS],
        permissions=["surveys.view_unsuppressed_results"],
    )  # fmt: skip
    url = reverse("surveys:results", args=[survey.pk])
    client.force_login(trusted)
    everything = client.get(url)
    assert ": 1</text>" in everything.text

    client.force_login(organiser)
    waiting = client.get(url)
    assert 'id="results-preparing"' in waiting.text
    assert ": 1</text>" not in waiting.text
    tasks_run()
    protected = client.get(url)
    assert ": 1</text>" not in protected.text
    assert ": hidden</text>" in protected.text


def test_a_small_survey_is_worked_out_in_the_request_and_queues_nothing(organiser_client, settings):
    settings.SURVEY_SUPPRESSION_THRESHOLD = 2
    settings.SURVEY_RESULTS_IN_BACKGROUND_FROM = 4
    survey = SurveyFactory(named=True)
    question = QuestionFactory(survey=survey)
    for value in (4, 4, 5):
        survey_answer(survey, {question: value})
    page = organiser_client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.context["results"].responses == 3
    assert _queued() == []


# The audit's budget -------------------------------------------------------------------------


def _grouped():
    """Twelve people over two groupings: sector (2 groups) and team (4)."""
    people = {
        ("nhs", "a"): 3, ("nhs", "b"): 3, ("council", "c"): 3, ("council", "d"): 1,
        ("council", "a"): 2,
    }  # fmt: skip
    ticks = {
        (("nhs", "a"), "yes"): 2, (("nhs", "a"), "no"): 1, (("nhs", "b"), "yes"): 3,
        (("council", "c"), "no"): 3, (("council", "d"), "yes"): 1,
        (("council", "a"), "no"): 2,
    }  # fmt: skip
    sector = Grouping("sector", {c: c[0] for c in people}, ["council", "nhs"])
    team = Grouping("team", {c: c[1] for c in people}, ["a", "b", "c", "d"])
    return people, ticks, sector, team


class _FirstAuditOutOfTime(disclosure._Audit):
    """The audit, out of time from the start the first time it is made: as a question with
    far more groups would be."""

    made = 0

    def __init__(self, **options):
        super().__init__(**options)
        type(self).made += 1
        if type(self).made == 1:
            self.solves = disclosure.MAX_SOLVES


def test_a_breakdown_the_audit_cannot_check_in_time_is_withheld_and_the_rest_checked_without_it(
    monkeypatch,
):
    people, ticks, sector, team = _grouped()
    question = {"columns": ["yes", "no"], "people": people, "ticks": ticks, "threshold": 3}
    checked = disclose(**question, groupings=[sector, team])
    assert checked.tables["team"].notes != [WITHHELD_NOTE]
    alone = disclose(**question, groupings=[sector])

    monkeypatch.setattr(disclosure, "_Audit", _FirstAuditOutOfTime)
    found = disclose(**question, groupings=[sector, team])
    assert _FirstAuditOutOfTime.made == 2
    assert list(found.tables) == ["sector", "team"]
    withheld = found.tables["team"]
    assert (withheld.rows, withheld.total, withheld.suppressed) == ([], None, True)
    assert withheld.notes == [WITHHELD_NOTE]
    assert set(withheld.cells.values()) == {None}
    assert set(withheld.row_totals) == {"a", "b", "c", "d"}
    # What is shown is exactly what the audit of the other breakdown alone shows.
    assert found.overall == alone.overall
    assert found.tables["sector"] == alone.tables["sector"]


def test_a_large_anonymous_surveys_final_results_are_prepared_as_its_answers_are_released(
    organiser_client, settings, django_capture_on_commit_callbacks
):
    _large(settings)
    survey = SurveyFactory()  # anonymous
    question = QuestionFactory(survey=survey, text="I belong")
    for member in UserFactory.create_batch(3):
        InvitationFactory(survey=survey, member=member)
        response_submit(survey=survey, member=member, answers={question: 4})
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert releases_run() == 3
    assert _queued() == [({"args": [survey.pk, False], "kwargs": {}}, "results")]
    assert tasks_run() == 1
    page = organiser_client.get(reverse("surveys:results", args=[survey.pk]))
    assert page.context["results"].responses == 3
    assert page.context["not_current_note"] is None
    assert len(_queued()) == 1
