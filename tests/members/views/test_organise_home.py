"""The Organise page starts with what waits: counts of each kind of task the organiser may do,
with links straight to it, and sessions named one by one."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Suggestion
from members.models import User
from resources.models import CaseStudy
from tests.factories import (
    AttendanceFactory,
    CaseStudyFactory,
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    SuggestionFactory,
    permission_give,
)

pytestmark = pytest.mark.django_db


def _waiting(client) -> list[str]:
    """The "Waiting for you" section as lines of text: each item and each session under it."""
    page = client.get(reverse("members:organise")).content.decode()
    section = re.search(r'<section class="mb-4" aria-labelledby="waiting-heading">(.*?)</section>',
                        page, re.S).group(1)  # fmt: skip
    items = [re.sub(r"^[^>]*>", "", item) for item in section.split("<li")[1:]]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def _ended(days_ago: int, **fields):
    ends = timezone.now() - datetime.timedelta(days=days_ago)
    return EventFactory(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends, **fields)


def test_nothing_waiting_says_so(organiser_client):
    page = organiser_client.get(reverse("members:organise")).content.decode()
    assert "Nothing is waiting for you." in page


def test_registers_summaries_case_studies_and_suggestions_are_counted_with_links(
    organiser_client, member
):
    booked = _ended(2, title="Booked, no register")
    RegistrationFactory(event=booked, member=member)
    taken = _ended(3, title="Register taken")
    RegistrationFactory(event=taken, member=member)
    AttendanceFactory(event=taken, member=member)
    _ended(90, title="Long ago")  # past the two months: history, not a task
    published = _ended(4, title="Summary out")
    published.summary_published_at = timezone.now()
    published.outcome_summary = "Done."
    published.save()
    EventFactory(title="Still to come")  # has not happened
    CaseStudyFactory(status=CaseStudy.Status.SUBMITTED)
    CaseStudyFactory(status=CaseStudy.Status.SUBMITTED)
    CaseStudyFactory(status=CaseStudy.Status.PUBLISHED)
    SuggestionFactory(status=Suggestion.Status.NEW)
    SuggestionFactory(status=Suggestion.Status.DECLINED)

    lines = _waiting(organiser_client)

    day = lambda event: f"{timezone.localtime(event.starts_at):%-d %B %Y}"  # noqa: E731
    assert lines == [
        "Registers to take: 1",
        f"Booked, no register, {day(booked)}",
        "Summaries to publish: 2",
        f"Booked, no register, {day(booked)}",
        f"Register taken, {day(taken)}",
        "Case studies to review: 2",
        "Members’ suggestions to consider: 1",
    ]
    page = organiser_client.get(reverse("members:organise")).content.decode()
    assert f'href="{reverse("events:event_attendance", args=[booked.pk])}"' in page
    assert f'href="{reverse("events:event_summary", args=[taken.pk])}"' in page
    assert f'href="{reverse("resources:moderation")}">Case studies to review' in page


def test_more_than_five_sessions_name_five_and_link_to_all(organiser_client):
    for n in range(7):
        _ended(1 + n, title=f"Session {n}")
    lines = _waiting(organiser_client)
    assert lines[0] == "Summaries to publish: 7"
    assert [line.split(",")[0] for line in lines[1:6]] == [f"Session {n}" for n in range(5)]
    assert lines[6] == "All 7"


def test_a_caucus_session_is_not_listed_for_an_organiser_who_may_not_see_caucus_choices(
    client, organiser, member
):
    """Its title and that people booked it would say a caucus met and who might have been there;
    its register is closed to this organiser, so it is not on their list either."""
    caucus_session = _ended(2, title="Caucus circle", caucus=CaucusFactory())
    RegistrationFactory(event=caucus_session, member=member)
    client.force_login(organiser)
    assert "Caucus circle" not in client.get(reverse("members:organise")).content.decode()
    assert _waiting(client) == []

    permission_give(organiser, "events.view_caucus_choice")
    organiser = User.objects.get(pk=organiser.pk)  # permissions are cached on the instance
    client.force_login(organiser)
    assert _waiting(client)[0] == "Registers to take: 1"


def test_a_steering_member_sees_only_what_they_may_do(client, steering_member):
    _ended(2, title="No summary yet")
    CaseStudyFactory(status=CaseStudy.Status.SUBMITTED)
    client.force_login(steering_member)
    page = client.get(reverse("members:organise")).content.decode()
    assert "Nothing is waiting for you." in page
    assert "No summary yet" not in page
