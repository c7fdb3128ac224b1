"""The digest (monthly on the 1st, or fortnightly on the 1st and the 15th, when there is news)
and the once-only nudge to members who came to one session and did not book again: what they
say, to whom, when, and never twice; never a caucus session to someone outside its caucus."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import User
from members.services.digests import digests_send, once_only_nudges_send
from members.services.imports import member_import_create
from resources.models import CaseStudy
from tests.factories import (
    AttendanceFactory,
    CaseStudyFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    RegistrationFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
    event_on,
    uk_time,
)
from tests.mail import mail_sent
from tests.tasks import scheduled_run

pytestmark = pytest.mark.django_db

DIGEST = "[CoP Portal] Your CoP digest, "
NUDGE = "[CoP Portal] The next CoP sessions, for you"
PORTAL = "http://127.0.0.1:8000"


def first_of_next_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# Run days are simulated after today, so everything the factories make "now" is news to them.
FIRST = first_of_next_month()


def day(n: int) -> datetime.date:
    """The day `n` days after FIRST."""
    return FIRST + datetime.timedelta(days=n)


def session_on(n: int, **fields):
    """A published session at noon, UK time, `n` days after FIRST."""
    return event_on(day(n), **fields)


def digests_to(member) -> list:
    return [m for m in mail_sent() if m.subject.startswith(DIGEST) and m.to == [member.email]]


def long_standing(**fields) -> User:
    """A member who joined a year ago: every session of the last months was open to them."""
    return UserFactory(date_joined=timezone.now() - datetime.timedelta(days=365), **fields)


# What the digest says ----------------------------------------------------------------------


def test_the_digest_lists_matching_sessions_first_then_what_is_new_and_what_they_missed():
    maternity = TopicFactory(name="Maternity care")
    member = long_standing(name="Amara Osei", sector="nhs", interests=[maternity])
    by_title = session_on(3, title="Racism in maternity care", slug="maternity")
    other = session_on(5, title="Allyship basics", slug="allyship")
    with_reading = session_on(7, title="Reading together", slug="reading")
    ResourceFactory(title="Pre-reading", slug="pre-reading", event=with_reading, topics=[maternity])
    by_sector = session_on(9, title="Leading in the NHS", slug="leading")
    booked = session_on(4, title="Already booked", slug="booked")
    RegistrationFactory(event=booked, member=member)
    session_on(3, title="Still a draft", slug="draft", status="draft")
    session_on(60, title="Too far ahead", slug="far")
    ResourceFactory(title="Inclusive recruitment toolkit", slug="toolkit", kind="toolkit")
    CaseStudyFactory(
        title="Fairer referrals",
        slug="fairer-referrals",
        status=CaseStudy.Status.PUBLISHED,
        author=UserFactory(name="Kofi Mensah", email_digest="none"),
    )
    missed = EventFactory(
        past=True,
        title="Naming racism",
        slug="naming-racism",
        outcome_summary="Two maternity teams on naming racism.",
        summary_published_at=timezone.now(),
    )
    came = EventFactory(
        past=True, title="Came to this", summary_published_at=timezone.now(), outcome_summary="x"
    )
    AttendanceFactory(event=came, member=member)

    assert digests_send(today=FIRST) == 1

    (message,) = mail_sent()
    assert (message.subject, message.to) == (f"{DIGEST}{FIRST:%-d %B %Y}", [member.email])

    def line(event):
        return (
            f"- {event.title}, {timezone.localtime(event.starts_at):%A %-d %B, %H:%M} (online)\n"
            f"  {PORTAL}/events/{event.slug}/\n"
        )

    unsubscribe = message.extra_headers["List-Unsubscribe"][1:-1]
    assert message.body == (
        "Hello Amara,\n\n"
        "Here is your monthly digest from the Community of Practice.\n\n"
        "Sessions coming up that match your interests or sector:\n\n"
        f"{line(by_title)}\n{line(with_reading)}\n{line(by_sector)}\n"
        "Also coming up:\n\n"
        f"{line(other)}\n"
        "New in the resource hub:\n\n"
        f"- Inclusive recruitment toolkit (toolkit)\n  {PORTAL}/resources/toolkit/\n\n"
        f"- Pre-reading (reading)\n  {PORTAL}/resources/pre-reading/\n\n"
        "New case studies from members:\n\n"
        "- Fairer referrals, by Kofi Mensah\n"
        f"  {PORTAL}/case-studies/fairer-referrals/\n\n"
        "Sessions you missed, with their summaries:\n\n"
        f"- Naming racism, {timezone.localtime(missed.starts_at):%-d %B %Y}\n"
        "  Two maternity teams on naming racism.\n"
        f"  {PORTAL}/events/naming-racism/\n\n"
        f"Everything coming up is on the programme: {PORTAL}/programme/\n\n"
        "The CoP organisers\n\n"
        "--\n"
        "You get this digest on the 1st of each month, when there is news.\n"
        f"Stop the digest: {unsubscribe}\n"
        f"Choose how often it comes, or which emails you get: {PORTAL}/profile/emails/\n"
    )


def test_news_already_in_a_digest_is_not_in_the_next():
    member = long_standing()
    ResourceFactory(title="Old news", slug="old-news")
    assert digests_send(today=FIRST) == 1
    session_on(40, title="Autumn gathering", slug="autumn")

    assert digests_send(today=day(31).replace(day=1)) == 1

    first, second = digests_to(member)
    assert (first.subject, second.subject) == (
        f"{DIGEST}{FIRST:%-d %B %Y}",
        f"{DIGEST}{day(31).replace(day=1):%-d %B %Y}",
    )
    assert "Old news" in first.body
    assert "Old news" not in second.body
    assert "Autumn gathering" in second.body


def test_a_digest_with_nothing_to_say_is_not_sent_and_tomorrow_looks_again():
    member = long_standing()

    assert digests_send(today=FIRST) == 0
    assert mail_sent() == []
    member.refresh_from_db()
    assert member.digest_sent_at is None

    session_on(10, title="Something new", slug="something-new")
    assert digests_send(today=day(1)) == 1
    (message,) = digests_to(member)
    assert "- Something new, " in message.body


# When it goes ------------------------------------------------------------------------------


def test_monthly_and_fortnightly_digests_over_two_months_of_daily_runs():
    monthly = long_standing(email_digest="monthly")
    fortnightly = long_standing(email_digest="fortnightly")
    long_standing(email_digest="none")
    for n in range(0, 100, 10):
        session_on(n + 1, title=f"Session on day {n + 1}", slug=f"day-{n + 1}")
    next_first = day(31).replace(day=1)
    last = (next_first + datetime.timedelta(days=31)).replace(day=1)
    sent_on = []
    today = FIRST
    while today <= last:
        digests_send(today=today)
        digests_send(today=today)  # a second run the same day sends nothing more
        sent_on += [(m.to[0], today) for m in mail_sent()[len(sent_on) :]]
        today += datetime.timedelta(days=1)

    assert sent_on == [
        (monthly.email, FIRST),
        (fortnightly.email, FIRST),
        (fortnightly.email, FIRST.replace(day=15)),
        (monthly.email, next_first),
        (fortnightly.email, next_first),
        (fortnightly.email, next_first.replace(day=15)),
        (monthly.email, last),
        (fortnightly.email, last),
    ]


@pytest.mark.parametrize(
    ("frequency", "run_on", "sent"),
    [
        # The workers were stopped on the 1st: the digest goes up to the 7th, not on the 8th.
        ("monthly", 6, 1),
        ("monthly", 7, 0),
        ("fortnightly", 6, 1),
        ("fortnightly", 7, 0),
        ("fortnightly", 20, 1),
        ("fortnightly", 21, 0),
        # Mid-month is not a monthly digest's day at all.
        ("monthly", 14, 0),
    ],
)
def test_a_digest_the_workers_missed_goes_within_the_week_and_not_after(frequency, run_on, sent):
    member = long_standing(email_digest=frequency)
    member.digest_sent_at = uk_time(FIRST - datetime.timedelta(days=20), 9)
    member.save()
    session_on(run_on + 5, title="Coming up", slug="coming-up")

    assert digests_send(today=day(run_on)) == sent
    assert len(digests_to(member)) == sent


def test_the_schedule_runs_the_digests_and_the_nudges():
    member = long_standing()
    EventFactory(title="Next week")  # a session a week from now: news, if a digest is due

    run = scheduled_run("member-digests")

    assert run.status == run.Status.SUCCEEDED
    # The run is today's, whatever day the tests run on: it follows the monthly rule.
    assert len(digests_to(member)) == (1 if timezone.localdate().day <= 7 else 0)


# Preferences and unsubscribing -------------------------------------------------------------


def test_a_member_with_no_digest_gets_none():
    member = long_standing(email_digest="none")
    session_on(3, title="Coming up", slug="coming-up")

    assert digests_send(today=FIRST) == 0
    assert mail_sent() == []
    member.refresh_from_db()
    assert member.digest_sent_at is None


def test_the_digest_carries_one_click_unsubscribe_which_sets_it_to_none():
    member = long_standing()
    session_on(3, title="Coming up", slug="coming-up")
    digests_send(today=FIRST)
    (message,) = mail_sent()

    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(rf"<{re.escape(PORTAL)}/unsubscribe/[^>/]+/>", header)
    url = header[1:-1]
    assert f"Stop the digest: {url}\n" in message.body

    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path, {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.email_digest == "none"
    session_on(40, title="Later", slug="later")
    assert digests_send(today=day(31).replace(day=1)) == 0


def test_imported_members_who_have_not_claimed_their_record_get_nothing():
    imported = member_import_create(email="pat@example.org", name="Pat Imported")
    User.objects.filter(pk=imported.pk).update(
        date_joined=timezone.now() - datetime.timedelta(days=365)
    )
    once = EventFactory(starts_at=uk_time(day(-60)), title="Their one session")
    AttendanceFactory(event=once, member=imported)
    session_on(3, title="Coming up", slug="coming-up")

    assert digests_send(today=FIRST) == 0
    assert once_only_nudges_send(today=day(1)) == 0
    assert mail_sent() == []


def test_inactive_members_get_nothing():
    long_standing(is_active=False)
    session_on(3, title="Coming up", slug="coming-up")

    assert digests_send(today=FIRST) == 0


def _digest_queries(items: int) -> int:
    """Queries to send one member a digest with `items` of each kind of news."""
    member = long_standing()
    for i in range(items):
        session_on(3 + i, title=f"Coming up {items}-{i}", slug=f"up-{items}-{i}")
        ResourceFactory(slug=f"new-{items}-{i}")
        CaseStudyFactory(
            slug=f"study-{items}-{i}",
            status=CaseStudy.Status.PUBLISHED,
            author=UserFactory(email_digest="none"),
        )
        EventFactory(
            past=True,
            slug=f"missed-{items}-{i}",
            outcome_summary="What happened.",
            summary_published_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as queries:
        assert digests_send(today=FIRST) == 1
    User.objects.filter(pk=member.pk).update(email_digest="none")
    return len(queries)


def test_a_digest_takes_the_same_queries_however_much_news_it_carries():
    """Thousands of members get one on the same morning: no query per session or resource."""
    assert _digest_queries(1) == _digest_queries(6)


# Never twice -------------------------------------------------------------------------------


def test_a_rerun_the_same_day_sends_once_even_if_the_mark_were_lost():
    member = long_standing()
    session_on(3, title="Coming up", slug="coming-up")

    assert digests_send(today=FIRST) == 1
    assert digests_send(today=FIRST) == 0
    # Even a run that found the member unmarked (a second worker that read them before the
    # first marked them) queues a message the outbox already holds, so it goes once.
    User.objects.filter(pk=member.pk).update(digest_sent_at=None)
    digests_send(today=FIRST)

    assert len(digests_to(member)) == 1


# Caucus sessions ---------------------------------------------------------------------------


def test_a_caucus_session_never_reaches_the_digest_of_someone_outside_its_caucus():
    """The attack: a member outside the caucus reads their digest for the caucus session's
    title, its summary or its materials. It must not be there in any form."""
    caucus = CaucusFactory()
    other_caucus = CaucusFactory(name="Non-global majority", slug="non-global-majority")
    interest = TopicFactory(name="Racial trauma")
    outsider = long_standing(sector="nhs", interests=[interest])
    CaucusMembershipFactory(member=outsider, caucus=other_caucus)
    insider = long_standing(sector="nhs", interests=[interest])
    CaucusMembershipFactory(member=insider, caucus=caucus)
    # Every way the digest could name it: matched by interest and sector, a new resource of
    # it, and a published summary of one that was missed.
    secret = session_on(
        3, title="Caucus: racial trauma circle for NHS staff", slug="caucus-circle", caucus=caucus
    )
    ResourceFactory(title="Caucus circle notes", slug="caucus-notes", event=secret)
    EventFactory(
        past=True,
        title="Caucus retrospective",
        slug="caucus-retro",
        caucus=caucus,
        outcome_summary="What the caucus shared.",
        summary_published_at=timezone.now(),
    )
    session_on(5, title="Open session", slug="open")

    assert digests_send(today=FIRST) == 2

    (outsiders,) = digests_to(outsider)
    (insiders,) = digests_to(insider)
    for text in ("Caucus", "caucus", "racial trauma circle", "What the caucus shared"):
        assert text not in outsiders.body
        assert text not in outsiders.subject
    assert "- Open session, " in outsiders.body
    # Those in the caucus see all three.
    assert "- Caucus: racial trauma circle for NHS staff, " in insiders.body
    assert "- Caucus circle notes (reading)\n" in insiders.body
    assert "- Caucus retrospective, " in insiders.body


# The once-only nudge -----------------------------------------------------------------------


@pytest.fixture
def came_once():
    """A member who came to one session, ending at 13:00 on FIRST; six weeks after is day 42."""
    member = UserFactory(name="Bola Adeyemi", sector="local_authority")
    once = EventFactory(
        title="First steps", starts_at=uk_time(FIRST), duration=datetime.timedelta(hours=1)
    )
    AttendanceFactory(event=once, member=member)
    return member


def matching_sessions(n_from: int, count: int):
    return [
        session_on(n_from + i, title=f"Council workshop {i + 1}", slug=f"council-{n_from + i}")
        for i in range(count)
    ]


def nudges():
    return [m for m in mail_sent() if m.subject == NUDGE]


def test_the_nudge_goes_once_after_six_weeks_with_the_next_three_matching_sessions(came_once):
    first, second, third, _fourth = matching_sessions(50, 4)
    unmatched = session_on(49, title="Allyship basics", slug="allyship")
    caucus = CaucusFactory()
    session_on(48, title="Caucus council circle", slug="caucus-council", caucus=caucus)

    assert once_only_nudges_send(today=day(42)) == 1
    assert once_only_nudges_send(today=day(43)) == 0

    (message,) = nudges()
    assert message.to == [came_once.email]

    def line(event):
        return (
            f"- {event.title}, {timezone.localtime(event.starts_at):%A %-d %B, %H:%M} (online)\n"
            f"  {PORTAL}/events/{event.slug}/\n"
        )

    unsubscribe = message.extra_headers["List-Unsubscribe"][1:-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body == (
        "Hello Bola,\n\n"
        f"Thank you for coming to First steps on {FIRST:%-d %B %Y}. We would love to see you "
        "again. These are the next sessions that match your interests or sector:\n\n"
        f"{line(first)}\n{line(second)}\n{line(third)}\n"
        "Each session page says what it is about and who it is for, and you can book your "
        "place there. Change your areas of interest on your profile, so we suggest the right "
        f"sessions: {PORTAL}/profile/edit/\n\n"
        "We will not send this email again.\n\n"
        "The CoP organisers\n\n"
        "--\n"
        f"Stop the digest and emails like this one: {unsubscribe}\n"
        f"Choose which emails you get: {PORTAL}/profile/emails/\n"
    )
    assert unmatched.title not in message.body
    came_once.refresh_from_db()
    assert came_once.once_only_nudge_sent_at == uk_time(day(42), 9)

    # Once ever: not even when a later session comes.
    matching_sessions(80, 1)
    assert once_only_nudges_send(today=day(70)) == 0


def test_no_nudge_before_six_weeks(came_once):
    matching_sessions(50, 1)

    assert once_only_nudges_send(today=day(41)) == 0
    assert nudges() == []


def test_the_weeks_come_from_the_settings(came_once, settings):
    settings.DIGEST_NUDGE_WEEKS = 2
    matching_sessions(50, 1)

    assert once_only_nudges_send(today=day(13)) == 0
    assert once_only_nudges_send(today=day(14)) == 1


def test_no_nudge_for_someone_who_booked_again(came_once):
    matching_sessions(50, 1)
    # They booked a later session (and missed it): they came back to book, which is enough.
    RegistrationFactory(event=session_on(10, title="Booked and missed"), member=came_once)

    assert once_only_nudges_send(today=day(42)) == 0
    came_once.refresh_from_db()
    assert came_once.once_only_nudge_sent_at is None


def test_a_cancelled_booking_is_not_booking_again(came_once):
    matching_sessions(50, 1)
    RegistrationFactory(
        event=session_on(10, title="Booked then cancelled"), member=came_once, status="cancelled"
    )

    assert once_only_nudges_send(today=day(42)) == 1


def test_no_nudge_for_someone_who_came_twice(came_once):
    matching_sessions(50, 1)
    AttendanceFactory(event=session_on(2, title="Second visit"), member=came_once)

    assert once_only_nudges_send(today=day(42)) == 0


def test_no_nudge_when_no_session_matches_and_it_waits_for_one(came_once):
    session_on(50, title="Allyship basics", slug="allyship")

    assert once_only_nudges_send(today=day(42)) == 0
    came_once.refresh_from_db()
    assert came_once.once_only_nudge_sent_at is None

    matching_sessions(60, 1)
    assert once_only_nudges_send(today=day(43)) == 1


def test_someone_who_told_us_no_interests_or_sector_is_nudged_with_the_next_sessions(came_once):
    """Every imported member starts so: any session they may come to matches them."""
    User.objects.filter(pk=came_once.pk).update(sector="")
    caucus = CaucusFactory()
    session_on(44, title="Caucus circle", slug="caucus-circle", caucus=caucus)
    later = session_on(60, title="Later session", slug="later")
    sooner = session_on(50, title="Allyship basics", slug="allyship")

    assert once_only_nudges_send(today=day(42)) == 1

    (message,) = nudges()
    assert "These are the next sessions you can book:" in message.body
    assert message.body.index(sooner.title) < message.body.index(later.title)
    assert "Caucus" not in message.body
    assert "Tell us your areas of interest and sector on your profile" in message.body


def test_no_nudge_for_a_member_with_no_digest(came_once):
    User.objects.filter(pk=came_once.pk).update(email_digest="none")
    matching_sessions(50, 1)

    assert once_only_nudges_send(today=day(42)) == 0
    assert nudges() == []


def test_a_caucus_session_is_never_in_the_nudge_of_someone_outside_it(came_once):
    caucus = CaucusFactory()
    session_on(45, title="Caucus council circle", slug="caucus-council", caucus=caucus)
    (open_session,) = matching_sessions(50, 1)

    assert once_only_nudges_send(today=day(42)) == 1

    (message,) = nudges()
    assert "Caucus" not in message.body
    assert f"- {open_session.title}, " in message.body


def test_the_nudge_does_not_name_a_caucus_session_of_a_caucus_they_have_left():
    caucus = CaucusFactory()
    member = UserFactory(name="Bola Adeyemi", sector="local_authority")
    once = EventFactory(
        title="Caucus gathering",
        caucus=caucus,
        starts_at=uk_time(FIRST),
        duration=datetime.timedelta(hours=1),
    )
    AttendanceFactory(event=once, member=member)  # they were in the caucus then, not now
    matching_sessions(50, 1)

    assert once_only_nudges_send(today=day(42)) == 1

    (message,) = nudges()
    assert message.body.startswith(
        "Hello Bola,\n\nWe would love to see you again. These are the next sessions that "
    )
    assert "Caucus" not in message.body
