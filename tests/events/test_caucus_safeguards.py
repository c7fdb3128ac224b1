"""Safeguards for the caucus choice, special category data under UK GDPR: consent is never
assumed, withdrawal takes effect at once, and the choice shows on no page, log line, export or
error report except for the member and people given `events.view_caucus_choice`."""

import contextlib
import json
import logging
import re
import sys

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from pytest_django.asserts import assertContains, assertNotContains

from events.models import CaucusMembership, Registration
from events.services import public as public_services
from events.views import public
from members.roles import ORGANISERS
from members.selectors import data_rights
from members.services.starter import starter_content_load
from surveys.models import Response
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    QuestionFactory,
    RegistrationFactory,
    ResponseFactory,
    SuggestionFactory,
    SurveyFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db

# Found nowhere else in the data below, so its absence from a page means something.
CAUCUS_NAME = "Zephyr caucus"
LINK = "https://meet.example.org/zephyr-room"


@pytest.fixture
def caucus():
    return CaucusFactory(name=CAUCUS_NAME, slug="zephyr")


@pytest.fixture
def insider(caucus, ground_rules):
    """A member of the caucus who is visible everywhere an organiser looks."""
    person = caucus_member(
        caucus, agreed_to=ground_rules, name="Kim Insider", listed_in_directory=True
    )
    past = EventFactory(title="Mixed session", past=True)
    RegistrationFactory(event=past, member=person)
    AttendanceFactory(event=past, member=person)
    SuggestionFactory(member=person, topic="Race and housing")
    return person


def test_the_consent_box_is_never_ticked_for_the_member(member_client, caucus):
    page = member_client.get(reverse("events:caucus")).content.decode()

    boxes = re.findall(r"<input[^>]*name=\"consent\"[^>]*>", page)
    assert len(boxes) == 1
    assert 'type="checkbox"' in boxes[0]
    assert "checked" not in boxes[0]
    radios = re.findall(r"<input[^>]*name=\"caucus\"[^>]*>", page)
    assert [r for r in radios if "checked" in r] == []


def test_the_consent_screen_links_to_the_privacy_pages(member_client, caucus):
    page = member_client.get(reverse("events:caucus"))

    assertContains(page, f'href="{reverse("members:page", args=["special-category-data"])}"')
    assertContains(page, f'href="{reverse("members:page", args=["privacy"])}"')


def test_changing_caucus_gives_up_places_at_the_previous_caucus_sessions(client, caucus, insider):
    other = CaucusFactory(name="Other caucus", slug="other")
    session = EventFactory(title="Caucus circle", caucus=caucus, joining_link=LINK)
    RegistrationFactory(event=session, member=insider)
    client.force_login(insider)
    assertContains(client.get(reverse("members:home")), "Caucus circle")

    response = client.post(
        reverse("events:caucus"), {"caucus": other.pk, "consent": "on"}, follow=True
    )

    assertContains(
        response,
        "You have joined the Other caucus caucus. Your places at your previous caucus&#x27;s "
        "sessions to come are cancelled.",
    )
    assert Registration.objects.get(event=session, member=insider).status == "cancelled"
    # No way into the old caucus session is left: not its link, its place, home or My sessions.
    assertNotContains(client.get(session.get_absolute_url()), LINK)
    assert client.post(reverse("events:register", args=[session.slug])).status_code == 403
    assertNotContains(client.get(reverse("members:home")), "Caucus circle")
    assertNotContains(client.get(reverse("events:mine")), "Caucus circle")


def test_a_caucus_session_under_way_leaves_a_members_lists_when_they_leave(client, caucus, insider):
    session = EventFactory(title="Caucus circle", caucus=caucus, joining_link=LINK, started=True)
    RegistrationFactory(event=session, member=insider)
    client.force_login(insider)
    assertContains(client.get(reverse("members:home")), "Caucus circle")
    assertContains(client.get(reverse("events:mine")), "Caucus circle")

    client.post(reverse("events:caucus_withdraw"))

    # Already started, so the place stays on record (it is not cancelled), but it is no longer
    # theirs to join: gone from the (kept) home page and My sessions at once.
    assert Registration.objects.get(event=session, member=insider).status == "confirmed"
    assertNotContains(client.get(reverse("members:home")), "Caucus circle")
    assertNotContains(client.get(reverse("events:mine")), "Caucus circle")
    assertNotContains(client.get(session.get_absolute_url()), LINK)


def test_withdrawal_removes_access_at_once(client, caucus, insider):
    session = EventFactory(title="Caucus circle", caucus=caucus, joining_link=LINK)
    RegistrationFactory(event=session, member=insider)
    named = SurveyFactory(draft=True, named=True, title="Named")
    ResponseFactory(survey=named, member=insider, sector="nhs")
    client.force_login(insider)
    assertContains(client.get(session.get_absolute_url()), LINK)

    response = client.post(reverse("events:caucus_withdraw"), follow=True)

    assertContains(
        response, "Your caucus choice is deleted. Your place at 1 caucus session(s) is cancelled."
    )
    assert not CaucusMembership.objects.filter(member=insider).exists()
    assert Registration.objects.get(event=session, member=insider).status == "cancelled"
    assertNotContains(client.get(session.get_absolute_url()), LINK)
    assert client.post(reverse("events:register", args=[session.slug])).status_code == 403
    # Nothing that names the member records the caucus: responses never kept it.
    assert "caucus" not in {field.name for field in Response._meta.get_fields()}
    assert Response.objects.get(member=insider).sector == "nhs"
    assertNotContains(client.get(reverse("events:caucus")), "You are in the")


def _organiser_pages(insider):
    past = insider.registrations.get().event
    return [
        reverse("members:home"),
        reverse("members:organise"),
        reverse("members:directory"),
        reverse("members:dashboard"),
        reverse("members:dashboard_csv"),
        reverse("events:organise_programme"),
        reverse("events:event_attendance", args=[past.pk]),
        reverse("events:suggestions_triage"),
        reverse("members:member_data", query={"email": insider.email}),
        reverse("members:member_data_detail", args=[insider.pk]),
        reverse("members:member_data_download", args=[insider.pk]),
        reverse("admin:index"),
        reverse("admin:members_user_changelist"),
        reverse("admin:members_user_change", args=[insider.pk]),
        reverse("admin:events_registration_changelist"),
    ]


def test_no_organiser_page_shows_the_caucus_without_the_permission(client, insider, ground_rules):
    staff = UserFactory(is_staff=True, agreed_to=ground_rules, groups=[ORGANISERS])
    client.force_login(staff)

    for url in _organiser_pages(insider):
        response = client.get(url)
        assert response.status_code == 200, url
        assert CAUCUS_NAME not in response.content.decode(), url
    assert client.get(reverse("admin:events_caucusmembership_changelist")).status_code == 403


def test_the_pages_do_show_it_to_someone_given_the_permission(client, insider, ground_rules):
    """The check above is not empty: the same staff member, once trusted, sees the choice."""
    staff = UserFactory(
        is_staff=True,
        agreed_to=ground_rules,
        groups=[ORGANISERS],
        permissions=["events.view_caucus_choice"],
    )
    client.force_login(staff)

    changelist = client.get(reverse("admin:events_caucusmembership_changelist"))
    assertContains(changelist, CAUCUS_NAME)
    download = client.get(reverse("members:member_data_download", args=[insider.pk]))
    assert json.loads(download.content)["caucus"]["caucus"] == CAUCUS_NAME


def test_only_the_member_sees_their_own_choice(client, insider, member):
    client.force_login(insider)
    assertContains(client.get(reverse("events:caucus")), f"<strong>{CAUCUS_NAME}</strong>")

    client.force_login(member)
    for url in [
        reverse("members:directory"),
        reverse("members:home"),
        reverse("members:profile"),
        reverse("events:programme"),
    ]:
        assert CAUCUS_NAME not in client.get(url).content.decode(), url


def test_joining_and_withdrawing_write_no_log_line_with_the_choice(member_client, caucus, caplog):
    with caplog.at_level(logging.DEBUG):
        member_client.post(reverse("events:caucus"), {"caucus": caucus.pk, "consent": "on"})
        member_client.post(reverse("events:caucus_withdraw"))

    assert CAUCUS_NAME not in caplog.text
    assert "zephyr" not in caplog.text.lower()


def test_the_consent_post_is_hidden_from_error_reports(member, caucus):
    request = RequestFactory().post(
        reverse("events:caucus"), {"caucus": caucus.pk, "consent": "on"}
    )
    request.user = member
    request._dont_enforce_csrf_checks = True
    request.session = {}

    # Only how the request is marked matters here, not what the view answers.
    with contextlib.suppress(Exception):
        public.caucus(request)

    assert request.sensitive_post_parameters == ("caucus", "consent")
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["caucus"] == SafeExceptionReporterFilter.cleansed_substitute


def test_an_error_while_joining_does_not_put_the_caucus_in_the_report(member, caucus):
    try:
        public_services.caucus_join(member=member, caucus=caucus, consent=False)
    except ValidationError:
        reporter = ExceptionReporter(None, *sys.exc_info())
    else:
        pytest.fail("Joining without consent must fail.")

    frames = [f for f in reporter.get_traceback_frames() if f["function"] == "caucus_join"]
    assert len(frames) == 1
    variables = dict(reporter.filter.get_traceback_frame_variables(None, frames[0]["tb"].tb_frame))
    assert variables["caucus"] == SafeExceptionReporterFilter.cleansed_substitute
    # Every frame from the service down (the test's own frame holds the fixture).
    for frame in reporter.get_traceback_frames()[1:]:
        assert [k for k, v in frame["vars"] if CAUCUS_NAME in str(v)] == [], frame["function"]


def test_caucus_surveys_and_sessions_stay_out_of_an_export_without_the_permission(
    client, caucus, insider, organiser
):
    survey = SurveyFactory(draft=True, title="Caucus pulse", caucus=caucus, invited=[insider])
    QuestionFactory(survey=survey, text="How are you?", kind="text")
    circle = EventFactory(title="Caucus circle", caucus=caucus)
    RegistrationFactory(event=circle, member=insider)
    # An action the caucus session prompted: left out whole, as its session would tell.
    ActionFactory(member=insider, what="Talk to my manager", level="personal", event=circle)
    # A survey after the caucus session goes to the caucus's members alone.
    SurveyFactory(draft=True, title="Circle follow-up", event=circle, invited=[insider])
    client.force_login(organiser)

    text = client.get(reverse("members:member_data_download", args=[insider.pk])).content.decode()

    assert "Caucus pulse" not in text
    assert "Caucus circle" not in text
    assert "Circle follow-up" not in text
    assert CAUCUS_NAME not in text
    assert "Mixed session" in text
    assert "Talk to my manager" not in text


def test_the_policy_page_is_public(client):
    starter_content_load()

    response = client.get(reverse("members:page", args=["special-category-data"]))

    assertContains(response, "<h1>How we protect your caucus choice</h1>", html=True)


def test_an_error_while_exporting_does_not_put_the_caucus_in_the_report(insider, monkeypatch):
    """The export gathers everything, the caucus included, before it is sent: an error on the
    way must not copy any of it into the error report."""

    class Broken:
        class objects:  # stands in for the model's manager
            @staticmethod
            def filter(**kwargs):
                raise RuntimeError("the database went away")

    monkeypatch.setattr(data_rights, "CaseStudy", Broken)
    try:
        data_rights.member_data_export(member=insider)
    except RuntimeError:
        reporter = ExceptionReporter(None, *sys.exc_info())
    else:
        pytest.fail("The export must fail.")

    frames = reporter.get_traceback_frames()
    assert "member_data_export" in [f["function"] for f in frames]
    for frame in frames[1:]:
        assert [k for k, v in frame["vars"] if CAUCUS_NAME in str(v)] == [], frame["function"]
