"""The follow-up loop over six months, as the workers run it.

The evaluation's roster is imported (66 members in their organisations, and who came to which
of the first year's six sessions). Then six months pass on a moved clock: the scheduler ticks
twice a day and the workers run whatever it queues, while organisers and members do what
they would (send the welcomes, claim accounts, publish a programme, book, come or not, take the
register, publish summaries, record and finish actions, answer surveys from the emailed link).

Every email the portal sends in those months is compared, as a whole, with what a person would
expect from what happened: each member's inbox, no more and no less, nothing twice."""

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from cop_portal.background.schedules import tick
from events.models import Event, EventKind
from events.services.organise import (
    attendance_add_walk_in,
    attendance_record,
    event_save,
    event_summary_publish,
    programme_publish,
    programme_save,
)
from events.services.public import registration_create
from members.models import Action, User
from members.selectors.accounts import member_has_claimed
from members.services.imports import import_apply, import_check, members_welcome
from members.services.journey import action_from_session_save, action_status_update
from members.services.starter import starter_content_load
from surveys.models import Survey
from surveys.services.reuse import standard_survey_choose
from tests.factories import UserFactory, uk_time
from tests.members.test_dashboard_disclosure import ORGANISATIONS, SESSIONS, TIMES
from tests.tasks import tasks_run

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 2, 3)  # a Monday, after the first year's last session
END = START + datetime.timedelta(days=182)
# The second year's sessions, a Thursday about every four weeks, 14:00 to 16:00.
DAYS = [datetime.date(2025, 2, 27) + datetime.timedelta(weeks=4 * n) for n in range(6)]
TICK_HOURS = (9, 18)  # after the night's and the morning's daily schedules; after sessions


def _subject(message) -> str:
    return message.subject.removeprefix(settings.EMAIL_SUBJECT_PREFIX)


class Walk:
    """The clock, the scheduler and the inbox. `until(moment)` lets the workers run every
    tick from now to `moment`; `acted()` lets them run what a request or a task queued."""

    def __init__(self, traveller):
        self.traveller = traveller
        self.now = uk_time(START, 9)
        self.ticks = 0

    def until(self, moment: datetime.datetime) -> None:
        assert moment >= self.now, "the clock only goes forward"
        day = self.now.date()
        while True:
            for hour in TICK_HOURS:
                at = uk_time(day, hour)
                if self.now < at <= moment:
                    self._to(at)
                    tick()
                    tasks_run()
                    self.ticks += 1
            if uk_time(day, 0) > moment:
                break
            day += datetime.timedelta(days=1)
        self._to(moment)

    def acted(self) -> None:
        tasks_run()

    def _to(self, moment):
        self.now = moment
        self.traveller.move_to(moment)


def _roster_import(tmp_path):
    """The roster, then each session's register, as the organisers' files would give them."""
    people = [
        (f"p{n}-{i}@evaluation.example.org", f"Person {n} {i}", name or "")
        for n, (name, count) in enumerate(ORGANISATIONS.items())
        for i in range(count)
    ]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Email,Name,Organisation,Joined\n"
        + "".join(
            f"{email},{name},{organisation},01/12/2023\n" for email, name, organisation in people
        ),
        encoding="utf-8",
    )
    created = import_apply(import_check(roster, "roster.csv", kind="members"))
    assert created["members"] == 66
    # Who came to which session: most sessions first, to the sessions with most places left.
    places = dict(SESSIONS)
    degrees = [times for times, count in sorted(TIMES.items(), reverse=True) for _ in range(count)]
    rows = []
    for (email, name, _), times in zip(people, degrees, strict=True):
        for day in sorted(places, key=lambda d: (-places[d], d))[:times]:
            places[day] -= 1
            rows.append(f"{email},{name},CoP session {day:%B %Y},{day:%d/%m/%Y}\n")
    # The first year's sessions, added by the organisers, then their registers in one table.
    kind, _ = EventKind.objects.get_or_create(slug="webinar", defaults={"name": "Webinar"})
    for day, _ in SESSIONS:
        event_save(
            title=f"CoP session {day:%B %Y}", summary="A session of the first year.", kind=kind,
            starts_at=uk_time(day, 14), ends_at=uk_time(day, 16), status=Event.Status.PUBLISHED,
        )  # fmt: skip
    register = tmp_path / "registers.csv"
    register.write_text("Email,Name,Event title,Event date\n" + "".join(rows), encoding="utf-8")
    created = import_apply(import_check(register, "registers.csv", kind="attendance"))
    assert (created["events"], created["attendances"]) == (0, 124)
    came = {email: times for (email, _, _), times in zip(people, degrees, strict=True)}
    return [email for email, _, _ in people], came


def _answer_from_email(body: str) -> None:
    """Open the survey from the personal link in an email, with no sign-in, and answer every
    question that asks for a choice with its first option."""
    link = re.search(r"https?://[^/\s]+(/s/\S+/)", body).group(1)
    client = Client()
    opened = client.get(link)
    assert opened.status_code == 302, opened.content
    page = client.get(opened["Location"]).content.decode()
    answers = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("type") == "radio" and attributes.get("name", "").startswith("q"):
            answers.setdefault(attributes["name"], attributes["value"])
    answered = client.post(opened["Location"], answers)
    assert answered.status_code == 302, answered.content


def _claim(client: Client, welcome) -> None:
    path = re.search(r"https?://[^/\s]+(/join/\S+/)", welcome.body).group(1)
    password = "a long walk in the park 1"
    response = client.post(path, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content


def test_six_months_of_the_follow_up_loop_send_what_a_person_would_expect(tmp_path, mailoutbox):
    expected: Counter = Counter()
    with time_machine.travel(uk_time(START, 9), tick=False) as traveller:
        walk = Walk(traveller)
        starter_content_load()  # what every portal starts with, the survey templates among it
        emails, came_last_year = _roster_import(tmp_path)
        walk.acted()
        assert mailoutbox == []  # importing last year's registers tells nobody anything

        organiser = UserFactory(
            email="organiser@example.org", email_programme=False, email_digest="none"
        )

        # Day one: the organisers welcome all 66.
        walk.until(uk_time(START, 10))
        assert members_welcome(members=User.objects.filter(email__in=emails)) == 66
        walk.acted()
        welcomes = {
            m.to[0]: m for m in mailoutbox if _subject(m) == "You are invited to the CoP Portal"
        }
        assert sorted(welcomes) == sorted(emails)
        expected.update((email, "You are invited to the CoP Portal") for email in emails)

        # Over the next week two in three claim their accounts from the link; one in three never do.
        claimers = [email for i, email in enumerate(emails) if i % 3 != 2]
        for i, email in enumerate(claimers):
            walk.until(uk_time(START + datetime.timedelta(days=1 + 6 * i // len(claimers)), 19))
            _claim(Client(), welcomes[email])
        walk.acted()
        members = {m.email: m for m in User.objects.filter(email__in=emails)}
        assert [e for e in emails if member_has_claimed(members[e])] == claimers
        # Two want no news at all: programme, reminders, summaries, surveys, digest off.
        quiet = claimers[:2]
        User.objects.filter(email__in=quiet).update(
            email_programme=False, email_reminders=False, email_catch_up=False,
            email_surveys=False, email_digest="none",
        )  # fmt: skip

        # Mid-February: the second year's programme, six sessions, each with its survey.
        walk.until(uk_time(datetime.date(2025, 2, 12), 10))
        kind = EventKind.objects.get(slug="webinar")
        programme = programme_save(
            title="Year two", starts_on=DAYS[0], ends_on=DAYS[-1], description="The second year."
        )
        sessions = [
            event_save(
                title=f"Session {n + 1}: {day:%B}",
                summary="A session of the CoP.",
                kind=kind,
                programme=programme,
                starts_at=uk_time(day, 14),
                ends_at=uk_time(day, 16),
                joining_link="https://meet.example.org/cop",
            )
            for n, day in enumerate(DAYS)
        ]
        programme_publish(programme=programme)
        walk.acted()
        sessions = list(Event.objects.filter(programme=programme).order_by("starts_at"))
        # Each session's standard survey: the starter's template for after a session, made
        # and carried by the email after it.
        template = Survey.objects.get(is_template=True, kind=Survey.Kind.POST_EVENT)
        for session in sessions:
            standard_survey_choose(event=session, template=template, by=organiser)
        readers = [e for e in emails if e not in quiet]  # unclaimed members get no news
        expected.update(
            (email, f"New programme: {programme.title}") for email in readers if email in claimers
        )

        # Each session: a fifth of those with accounts book ten days before, a third of them
        # do not come, two come without booking; the register is taken at half past four and
        # the summary published at five; half of those who came record an action the next
        # morning, and one of those finishes it within the month.
        action_owners = {}
        answered_by_link = {}  # survey: how many answered from the emailed link
        for n, (day, session) in enumerate(zip(DAYS, sessions, strict=True)):
            walk.until(uk_time(day - datetime.timedelta(days=10), 11))
            booked = [e for i, e in enumerate(claimers) if (i + n) % 5 == 0]
            for email in booked:
                registration_create(event=session, member=members[email])
            walk.acted()
            expected.update((email, f"You are registered: {session.title}") for email in booked)
            came = [e for i, e in enumerate(booked) if i % 3 != 1]
            missed = [e for e in booked if e not in came]
            walk_ins = [e for i, e in enumerate(claimers) if (i + n) % 5 == 1][:2]

            walk.until(
                uk_time(
                    day,
                    16,
                )
                + datetime.timedelta(minutes=30)
            )
            attendance_record(
                event=session, present_ids=[members[e].pk for e in came], recorded_by=organiser
            )
            for email in walk_ins:
                attendance_add_walk_in(event=session, member=members[email], recorded_by=organiser)
            walk.until(uk_time(day, 17))
            event_summary_publish(
                event=session, user=organiser, outcome_summary="What we talked about.",
                key_takeaways="- Ask who is missing from the room.",
            )  # fmt: skip
            walk.acted()
            wants = lambda email: email not in quiet  # noqa: E731
            expected.update(
                (email, f"Reminder: {session.title}") for email in booked if wants(email)
            )
            expected.update(
                (email, f"Catch up: {session.title}") for email in missed if wants(email)
            )
            attended = came + walk_ins
            after = f"After {session.title}: the summary and one thing to do"
            expected.update((email, after) for email in attended if wants(email))

            # The next morning half of those who came record an action from the session, and a
            # third answer its survey from the link in their email; the others who were invited
            # by that email are reminded two days before it closes.
            walk.until(uk_time(day + datetime.timedelta(days=1), 9))
            after_emails = {m.to[0]: m for m in mailoutbox if _subject(m) == after}
            answering = [e for e in attended[1::3] if e in after_emails]
            for email in answering:
                _answer_from_email(after_emails[email].body)
            survey = Survey.objects.get(event=session, is_standard_for_event=True)
            assert survey.invitations.filter(responded=True).count() == len(answering)
            answered_by_link[survey.pk] = len(answering)
            expected.update(
                (email, f"Reminder: {survey.title} closes soon")
                for email in after_emails
                if email not in answering
            )
            for email in attended[::2]:
                action = action_from_session_save(
                    member=members[email], event=session, what=f"Try it, {email}",
                    level=Action.Level.PERSONAL,
                )  # fmt: skip
                action_owners[action.pk] = email
            # One of them does it within the week: no follow-up for a finished action.
            done = attended[0]
            walk.until(uk_time(day + datetime.timedelta(days=7), 9))
            finished = Action.objects.get(event=session, member=members[done])
            action_status_update(action=finished, status=Action.Status.DONE, note="Done.")
            del action_owners[finished.pk]

        walk.until(uk_time(END, 12))
        # Every survey has closed, and the workers have added its sealed anonymous answers to
        # the results: all of them, none tied to a member.
        assert len(answered_by_link) == 6
        assert all(answered_by_link.values())
        for pk, answered in answered_by_link.items():
            survey = Survey.objects.get(pk=pk)
            assert survey.responses.count() == answered
            assert not survey.responses.filter(member__isnull=False).exists()
        # The monthly digest, on the 1st, to those with accounts: from March to July it has the
        # next session, which nobody has booked yet on the 1st; in August there is none to come,
        # and only those who missed July's session have news (its summary). February's had no
        # news in its first week (the programme came on the 12th), so it never went.
        for email in claimers:
            if email in quiet:
                continue
            for month in ("March", "April", "May", "June", "July"):
                expected[(email, f"Your CoP digest, 1 {month} 2025")] += 1
            if email not in attended:
                expected[(email, "Your CoP digest, 1 August 2025")] += 1
        # Those with accounts who came to one session last year and have booked nothing since
        # hear once of the sessions to come, the morning after the programme is published
        # (imported members name no interests or sector, so every session is one for them).
        for email in claimers:
            if email not in quiet and came_last_year[email] == 1:
                expected[(email, "The next CoP sessions, for you")] += 1
        # Three months on, each open action's owner is asked how it went, if that day has come.
        for pk, email in action_owners.items():
            created = Action.objects.get(pk=pk).created_at.date()
            if email not in quiet and created + datetime.timedelta(days=91) <= END:
                expected[(email, "How is your action going?")] += 1

    received = Counter((m.to[0], _subject(m)) for m in mailoutbox)
    assert +received == +expected
    assert max(received.values()) == 1  # nothing twice
    assert walk.ticks == 2 * (END - START).days  # no tick missed, none run twice
