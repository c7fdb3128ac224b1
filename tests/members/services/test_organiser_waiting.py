"""Each morning an organiser is emailed what waits for them (the Organise page's "Waiting for
you"), when something does and it is not what their last such email said; never naming a caucus
session to an organiser not trusted with caucus choices."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cop_portal.background.models import ScheduleRun
from events.models import Suggestion
from members.models import User
from members.roles import ORGANISERS
from members.services.emails import unsubscribe_token_read
from members.services.organise import organiser_waiting_send
from resources.models import CaseStudy
from tests.factories import (
    CaseStudyFactory,
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    SuggestionFactory,
    UserFactory,
    permission_give,
)
from tests.mail import mail_sent
from tests.tasks import scheduled_run

pytestmark = pytest.mark.django_db

PORTAL = "http://127.0.0.1:8000"
TODAY = datetime.date(2026, 12, 7)


def _organiser(**fields):
    return UserFactory(name="Kofi Boateng", email="kofi@example.org", groups=[ORGANISERS], **fields)


def _ended(days_ago: int, **fields):
    ends = timezone.now() - datetime.timedelta(days=days_ago)
    return EventFactory(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends, **fields)


def _case_studies(count: int):
    return CaseStudyFactory.create_batch(count, status=CaseStudy.Status.SUBMITTED)


def test_the_email_lists_exact_counts_with_links():
    _organiser()
    _case_studies(2)
    CaseStudyFactory(status=CaseStudy.Status.PUBLISHED)
    SuggestionFactory(status=Suggestion.Status.NEW)
    SuggestionFactory(status=Suggestion.Status.DECLINED)

    assert organiser_waiting_send(today=TODAY) == 1

    [email] = mail_sent()
    assert (email.to, email.subject) == (
        ["kofi@example.org"],
        "[CoP Portal] Waiting for you, 7 December 2026",
    )
    assert (
        "This is what is waiting for you on the CoP Portal.\n"
        "\n"
        "Case studies to review: 2\n"
        f"{PORTAL}/organise/case-studies/\n"
        "\n"
        "Members’ suggestions to consider: 1\n"
        f"{PORTAL}/organise/suggestions/\n"
        "\n"
        f"Everything you organise: {PORTAL}/organise/\n"
    ) in email.body


def test_sessions_are_named_with_links(member):
    _organiser()
    session = _ended(2, title="Racism and maternity care")
    RegistrationFactory(event=session, member=member)

    organiser_waiting_send(today=TODAY)

    [email] = mail_sent()
    day = f"{timezone.localtime(session.starts_at):%-d %B %Y}"
    assert (
        "Registers to take: 1\n"
        f"{PORTAL}/organise/programme/\n"
        f"- Racism and maternity care, {day}: {PORTAL}/organise/events/{session.pk}/attendance/\n"
    ) in email.body


def test_nothing_is_sent_when_nothing_waits():
    _organiser()
    CaseStudyFactory(status=CaseStudy.Status.PUBLISHED)

    assert organiser_waiting_send(today=TODAY) == 0
    assert mail_sent() == []


def test_nothing_more_is_sent_while_nothing_changes_and_a_change_is_told():
    _organiser()
    _case_studies(2)
    assert organiser_waiting_send(today=TODAY) == 1

    assert organiser_waiting_send(today=TODAY) == 0
    assert organiser_waiting_send(today=TODAY + datetime.timedelta(days=1)) == 0
    _case_studies(1)
    assert organiser_waiting_send(today=TODAY + datetime.timedelta(days=2)) == 1

    assert [("Case studies to review: 3\n" in m.body) for m in mail_sent()] == [False, True]


def test_work_arriving_after_a_quiet_spell_is_told_even_if_it_looks_the_same():
    _organiser()
    [first] = _case_studies(1)
    assert organiser_waiting_send(today=TODAY) == 1
    CaseStudy.objects.filter(pk=first.pk).update(status=CaseStudy.Status.PUBLISHED)
    assert organiser_waiting_send(today=TODAY + datetime.timedelta(days=1)) == 0

    _case_studies(1)

    assert organiser_waiting_send(today=TODAY + datetime.timedelta(days=2)) == 1
    assert len(mail_sent()) == 2


def test_only_those_with_an_organising_permission_hear_and_only_of_their_own_tasks():
    UserFactory(email="member@example.org")  # no permission: nothing waits for them
    UserFactory(email="moderator@example.org", permissions=["resources.moderate_casestudy"])
    UserFactory(email="triager@example.org", permissions=["events.triage_suggestion"])
    _case_studies(1)

    assert organiser_waiting_send(today=TODAY) == 1

    [email] = mail_sent()
    assert email.to == ["moderator@example.org"]
    assert "Case studies to review: 1\n" in email.body
    # The Organise page needs members.view_reports, which a moderator alone does not hold.
    assert "Everything you organise" not in email.body


def test_an_organiser_who_turned_it_off_gets_nothing():
    _organiser(email_organiser_waiting=False)
    _case_studies(1)

    assert organiser_waiting_send(today=TODAY) == 0
    assert mail_sent() == []


def test_its_one_click_unsubscribe_turns_it_off():
    organiser = _organiser()
    _case_studies(1)
    organiser_waiting_send(today=TODAY)
    [email] = mail_sent()
    link = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe_token_read(link.rstrip("/").rsplit("/", 1)[1]) == (
        organiser.pk,
        "organiser_news",
    )

    Client(enforce_csrf_checks=True).post(
        link.removeprefix(PORTAL), {"List-Unsubscribe": "One-Click"}
    )

    organiser.refresh_from_db()
    assert organiser.email_organiser_waiting is False
    _case_studies(1)
    assert organiser_waiting_send(today=TODAY + datetime.timedelta(days=1)) == 0
    assert len(mail_sent()) == 1


def test_a_caucus_session_is_named_only_to_an_organiser_trusted_with_caucus_choices(member):
    """The attack: an organiser without the caucus permission reads their email for a caucus
    session's title, or a count that includes it."""
    _organiser()
    trusted = permission_give(
        UserFactory(email="trusted@example.org", groups=[ORGANISERS]), "events.view_caucus_choice"
    )
    session = _ended(2, title="Black staff network circle", caucus=CaucusFactory())
    RegistrationFactory(event=session, member=member)

    assert organiser_waiting_send(today=TODAY) == 1

    [email] = mail_sent()
    assert email.to == [trusted.email]
    assert "Black staff network circle" in email.body
    kofi = User.objects.get(email="kofi@example.org")
    assert kofi.organiser_waiting_sent == ""


def test_a_caucus_session_leaves_no_trace_beside_an_open_one(member):
    _organiser()
    open_session = _ended(3, title="Open session")
    RegistrationFactory(event=open_session, member=member)
    caucus_session = _ended(2, title="Black staff network circle", caucus=CaucusFactory())
    RegistrationFactory(event=caucus_session, member=member)

    organiser_waiting_send(today=TODAY)

    [email] = mail_sent()
    assert "Black staff network circle" not in email.body
    assert "Registers to take: 1\n" in email.body
    assert "Summaries to publish: 1\n" in email.body


def test_the_schedule_sends_it_once():
    _organiser()
    _case_studies(1)

    run = scheduled_run("organiser-waiting")

    assert (run.status, run.outcome, run.error) == (ScheduleRun.Status.SUCCEEDED, 1, "")
    assert [m.to for m in mail_sent()] == [["kofi@example.org"]]
