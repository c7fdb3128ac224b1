"""The termly report for a board: headline figures, each value-creation cycle with its figures
and the organisers' stories beside them, the sessions held; through the dashboard's disclosure
rules, and laid out for A4 by a print stylesheet."""

import datetime
import re

import pytest
from django.urls import reverse

from members.models import Action, AuditEvent, ValueStory
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    UserFactory,
    caucus_member,
    event_on,
    permission_give,
)

pytestmark = pytest.mark.django_db
REPORT = reverse("members:termly_report")
TERM = {"start": "2025-01-01", "end": "2025-03-31"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _story(title, cycle, day, text="What happened."):
    return ValueStory.objects.create(title=title, cycle=cycle, story=text, happened_on=day)


def test_each_cycle_has_its_figures_and_the_stories_of_the_term(organiser_client, organiser):
    _story("A ward changed its handover", "applied", datetime.date(2025, 2, 10))
    _story("Too early", "applied", datetime.date(2024, 12, 31))
    _story("Too late", "applied", datetime.date(2025, 4, 1))
    _story("A new network", "potential", datetime.date(2025, 3, 31))
    ActionFactory(
        member=organiser, level="team", status=Action.Status.DONE, value_cycle="applied",
        completed_on=datetime.date(2025, 3, 3),
    )  # fmt: skip

    page = _text(organiser_client.get(REPORT, TERM).content.decode())

    assert "The Community of Practice, 1 January 2025 to 31 March 2025" in page
    applied = page[page.index("Applied value") :]
    applied = applied[: applied.index("Realised value")]
    assert "Actions completed: 1" in applied
    assert "A ward changed its handover (February 2025)" in applied
    assert "Too early" not in page
    assert "Too late" not in page
    potential = page[page.index("Potential value") : page.index("Applied value")]
    assert "A new network (March 2025)" in potential
    assert page.count("No story told for this cycle in this period.") == 3


def test_the_report_opens_with_the_headlines_against_the_term_before(organiser_client):
    member = UserFactory()
    for day in (datetime.date(2025, 2, 6), datetime.date(2024, 11, 7)):
        AttendanceFactory(event=event_on(day, title=f"Session {day:%B}"), member=member)

    page = _text(organiser_client.get(REPORT, TERM).content.decode())

    assert "In this period, against 1 October 2024 to 31 December 2024" in page
    assert "Came only once 100% 100% no change" in page
    assert "Session February" in page
    assert "Session November" not in page  # in the term before, not this one


def test_a_caucus_session_is_counted_with_the_others_only_by_those_who_may_see_it(
    client, steering_member, organiser
):
    caucus = CaucusFactory(name="Zephyr caucus")
    session = event_on(datetime.date(2025, 2, 6), title="Zephyr circle", caucus=caucus)
    for _ in range(6):
        AttendanceFactory(event=session, member=caucus_member(caucus))

    client.force_login(steering_member)
    page = _text(client.get(REPORT, TERM).content.decode())
    assert "Zephyr" not in page
    assert "1 caucus session took place in this period; how many came is not shown." in page
    assert AuditEvent.objects.filter(action="unsuppressed_figures_viewed").count() == 0

    permission_give(organiser, "surveys.view_unsuppressed_results")
    permission_give(organiser, "events.view_caucus_choice")
    client.force_login(organiser)
    page = _text(client.get(REPORT, TERM).content.decode())
    assert "Zephyr circle 6" in page
    assert AuditEvent.objects.get(action="unsuppressed_figures_viewed").detail == (
        "termly report, 2025-01-01 to 2025-03-31"
    )


def test_a_protected_viewer_gets_whole_months_and_is_told(client, steering_member):
    client.force_login(steering_member)
    page = _text(client.get(REPORT, {"start": "2025-01-10", "end": "2025-03-20"}).content.decode())
    assert "The Community of Practice, 1 January 2025 to 31 March 2025" in page
    assert "widened to whole calendar months" in page.lower()


def test_the_report_is_laid_out_for_a4_by_its_print_stylesheet(organiser_client, settings):
    page = organiser_client.get(REPORT).content.decode()
    assert '<link rel="stylesheet" href="/static/css/report.css">' in page
    css = (settings.BASE_DIR / "static" / "css" / "report.css").read_text()
    assert re.search(r"@page\s*{\s*size: A4;", css)


def test_organisers_write_stories_and_the_steering_group_reads_them(
    organiser_client, client, steering_member
):
    response = organiser_client.post(
        reverse("members:value_story_new"),
        {"title": " Handover ", "cycle": "applied", "happened_on": "2025-02-10",
         "story": "The ward now asks about interpreters at handover."},
    )  # fmt: skip
    assert response.status_code == 302
    story = ValueStory.objects.get()
    assert (story.title, story.cycle, story.written_by.is_staff) == ("Handover", "applied", False)

    client.force_login(steering_member)
    assert (
        "The ward now asks about interpreters"
        in client.get(reverse("members:value_stories")).content.decode()
    )
    assert client.get(reverse("members:value_story_new")).status_code == 403


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"cycle": "imaginary"}, "Select a valid choice."),
        ({"happened_on": "31/02/2025"}, "Enter a valid date."),
        ({"story": ""}, "This field is required."),
        ({"story": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_a_story_that_cannot_be_kept_says_why(organiser_client, fields, error):
    data = {"title": "T", "cycle": "applied", "happened_on": "2025-02-10", "story": "S", **fields}
    response = organiser_client.post(reverse("members:value_story_new"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert ValueStory.objects.count() == 0
