"""The engagement and impact figures organisers and the steering group see: every figure is
computed by the database, each in one query, whatever the size of the data. The dashboard,
its CSV and `manage.py engagement_report` all read from here, so they always agree."""

import datetime
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from events.models import Attendance, Event
from surveys.disclosure import suppress, unsuppressed
from surveys.models import Answer, Question, Survey

from .models import Action, CheckIn, JourneyStage, Sector, Seniority, User, ValueCycle

LONDON = ZoneInfo("Europe/London")
SENIOR = (Seniority.SENIOR_LEADER, Seniority.EXECUTIVE)


@dataclass(frozen=True)
class Period:
    """A date range in UK dates; None at either end means unbounded."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    @property
    def start_at(self):
        if self.start is None:
            return None
        return datetime.datetime.combine(self.start, datetime.time.min, tzinfo=LONDON)

    @property
    def end_at(self):
        """The first moment after the range (exclusive), capped at now: only events that have
        taken place count as attended or not."""
        now = timezone.now()
        if self.end is None:
            return now
        day_after = self.end + datetime.timedelta(days=1)
        return min(now, datetime.datetime.combine(day_after, datetime.time.min, tzinfo=LONDON))


def _events(period: Period):
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__lt=period.end_at)
    if period.start_at:
        events = events.filter(starts_at__gte=period.start_at)
    return events


def _members(period: Period):
    members = User.objects.filter(is_active=True)
    if period.end is not None:
        members = members.filter(date_joined__lt=period.end_at)
    return members


# Attendance by active members counts, and so does that of members who erased their account:
# their rows stay, anonymised, so the numbers do not change (members/data_rights.py).
COUNTED_ATTENDANCE = Q(member__is_active=True) | Q(member__erased_at__isnull=False)


def _attendances(period: Period):
    return Attendance.objects.filter(COUNTED_ATTENDANCE, event__in=_events(period))


# Engagement ------------------------------------------------------------------------------------


def member_count(period: Period) -> int:
    return _members(period).count()


def organisations(period: Period) -> list[dict]:
    """Organisations and their member counts, largest first; "not stated" has name None."""
    rows = (
        _members(period)
        .values("organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation__name")
    )
    return [{"name": row["organisation__name"], "members": row["n"]} for row in rows]


def events_with_attendance(period: Period) -> list[dict]:
    rows = (
        _events(period)
        .annotate(
            n=Count(
                "attendances",
                filter=Q(attendances__member__is_active=True)
                | Q(attendances__member__erased_at__isnull=False),
            )
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at", "title", "n")
    )
    return [
        {"id": pk, "date": timezone.localtime(starts).date().isoformat(), "title": title,
         "attendance": n}
        for pk, starts, title, n in rows
    ]  # fmt: skip


def attendance_total(period: Period) -> int:
    return _attendances(period).count()


def attendance_frequency(period: Period) -> dict[str, int]:
    """How many members came to 0, 1, 2 … events in the period, as {"0": n, "1": n, …}."""
    per_member = _attendances(period).values("member_id").annotate(n=Count("pk")).values("n")
    sql, params = per_member.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, COUNT(*) FROM ({sql}) t GROUP BY t.n ORDER BY t.n",  # noqa: S608 - the inner SQL is Django's, with its own parameters
            params,
        )
        counts = {str(n): c for n, c in cursor.fetchall()}
    # Never came: members who had joined by the end of the period and attended nothing in it.
    never = _members(period).exclude(attendances__in=_attendances(period)).count()
    return {"0": never, **counts}


def attended_once_share(frequency: dict[str, int]) -> float:
    """Of the members who came at all, the share who came exactly once."""
    came = sum(n for times, n in frequency.items() if times != "0")
    return round(frequency.get("1", 0) / came, 4) if came else 0.0


def returning_members(period: Period) -> list[dict]:
    """For each event after the first: how many of its attendees were at the event before."""
    events = list(
        _events(period).order_by("starts_at", "pk").values_list("pk", "title", "starts_at")
    )
    pairs = {current[0]: previous[0] for previous, current in pairwise(events)}
    returning = _returning_counts(pairs)
    return [
        {"date": timezone.localtime(starts).date().isoformat(), "title": title,
         "returning": returning.get(pk, 0)}
        for pk, title, starts in events[1:]
    ]  # fmt: skip


def _returning_counts(pairs: dict[int, int]) -> dict[int, int]:
    """{event id: attendees who were also at the previous event}, in one query."""
    if not pairs:
        return {}
    cases = " ".join("WHEN %s THEN %s" for _ in pairs)
    params = [v for pair in pairs.items() for v in pair]
    table, users = Attendance._meta.db_table, User._meta.db_table
    sql = (
        f"SELECT a.event_id, COUNT(*) FROM {table} a "  # noqa: S608 - table names from the models
        f"JOIN {users} u ON u.id = a.member_id AND (u.is_active OR u.erased_at IS NOT NULL) "
        f"JOIN {table} b ON b.member_id = a.member_id "
        f"AND b.event_id = (CASE a.event_id {cases} END) "
        f"WHERE a.event_id IN ({', '.join('%s' for _ in pairs)}) GROUP BY a.event_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pairs])
        return dict(cursor.fetchall())


def new_joiners_by_month(period: Period) -> list[dict]:
    members = _members(period)
    if period.start_at:
        members = members.filter(date_joined__gte=period.start_at)
    rows = (
        members.annotate(month=TruncMonth("date_joined", tzinfo=LONDON))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [{"month": row["month"].strftime("%Y-%m"), "joined": row["n"]} for row in rows]


def senior_leaders(period: Period) -> dict:
    """Senior leaders and executives: how many are members, how many came, how often."""
    senior = _members(period).filter(seniority__in=SENIOR)
    came = _attendances(period).filter(member__seniority__in=SENIOR)
    figures = came.aggregate(attendances=Count("pk"), people=Count("member_id", distinct=True))
    return {"members": senior.count(), **figures}


def sector_mix(period: Period) -> list[dict]:
    members = dict(_members(period).values_list("sector").annotate(n=Count("pk")))
    came = dict(_attendances(period).values_list("member__sector").annotate(n=Count("pk")))
    labels = dict(Sector.choices)
    keys = sorted(set(members) | set(came), key=lambda k: (k == "", labels.get(k, k)))
    return [
        {"sector": labels.get(k, "Not stated"), "members": members.get(k, 0),
         "attendances": came.get(k, 0)}
        for k in keys
    ]  # fmt: skip


def engagement(period: Period = Period()) -> dict:
    """The engagement figures, as `manage.py engagement_report --format json` prints them."""
    frequency = attendance_frequency(period)
    events = events_with_attendance(period)
    return {
        "members": member_count(period),
        "organisations": organisations(period),
        "events": [{k: e[k] for k in ("date", "title", "attendance")} for e in events],
        "attendances": attendance_total(period),
        "attendance_frequency": frequency,
        "attended_once_share": attended_once_share(frequency),
        "returning_members": returning_members(period),
        "new_joiners_by_month": new_joiners_by_month(period),
        "senior_leaders": senior_leaders(period),
        "sector_mix": sector_mix(period),
    }


# Surveys ---------------------------------------------------------------------------------------


def survey_response_rates(period: Period) -> list[dict]:
    surveys = Survey.objects.filter(invitations_sent_at__isnull=False, opens_at__lt=period.end_at)
    if period.start_at:
        surveys = surveys.filter(opens_at__gte=period.start_at)
    rows = (
        surveys.annotate(
            invited=Count("invitations", distinct=True),
            responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
        )
        .order_by("opens_at", "pk")
        .values_list("title", "opens_at", "invited", "responded")
    )
    return [
        {"title": title, "date": timezone.localtime(opens).date().isoformat(),
         "invited": invited, "responded": responded,
         "rate": round(responded / invited, 4) if invited else None}
        for title, opens, invited, responded in rows
    ]  # fmt: skip


# Impact ----------------------------------------------------------------------------------------


def actions_by_level(period: Period) -> list[dict]:
    """Actions recorded and completed, by level. Counts only: never what the actions say."""
    actions = Action.objects.filter(created_at__lt=period.end_at)
    if period.start_at:
        actions = actions.filter(created_at__gte=period.start_at)
    rows = {
        level: (recorded, done)
        for level, recorded, done in actions.values("level")
        .annotate(recorded=Count("pk"), done=Count("pk", filter=Q(status=Action.Status.DONE)))
        .values_list("level", "recorded", "done")
    }
    return [
        {"level": label, "recorded": rows.get(level, (0, 0))[0], "done": rows.get(level, (0, 0))[1]}
        for level, label in Action.Level.choices
    ]


def value_cycles(period: Period) -> list[dict]:
    """For each of Wenger-Trayner's value-creation cycles: completed actions tagged with it,
    and the survey questions tagged with it with their mean agreement (1–5)."""
    actions = Action.objects.filter(status=Action.Status.DONE).exclude(value_cycle="")
    if period.start:
        actions = actions.filter(completed_on__gte=period.start)
    if period.end:
        actions = actions.filter(completed_on__lte=period.end)
    done = dict(actions.values_list("value_cycle").annotate(n=Count("pk")))
    answers = Answer.objects.filter(
        question__kind=Question.Kind.AGREEMENT, response__survey__opens_at__lt=period.end_at
    ).exclude(question__value_cycle="")
    if period.start_at:
        answers = answers.filter(response__survey__opens_at__gte=period.start_at)
    evidence = {
        cycle: (questions, mean, n)
        for cycle, questions, mean, n in answers.values("question__value_cycle")
        .annotate(questions=Count("question_id", distinct=True), mean=Avg("value"), n=Count("pk"))
        .values_list("question__value_cycle", "questions", "mean", "n")
    }
    return [
        {"cycle": cycle, "label": label, "actions_done": done.get(cycle, 0),
         "survey_questions": evidence.get(cycle, (0, None, 0))[0],
         "mean_agreement": round(evidence[cycle][1], 2) if cycle in evidence else None,
         "answers": evidence.get(cycle, (0, None, 0))[2]}
        for cycle, label in ValueCycle.choices
    ]  # fmt: skip


def agreement_over_time(period: Period) -> list[dict]:
    """Mean agreement (1–5) per agreement question, survey by survey, oldest first."""
    answers = Answer.objects.filter(
        question__kind=Question.Kind.AGREEMENT, response__survey__opens_at__lt=period.end_at
    )
    if period.start_at:
        answers = answers.filter(response__survey__opens_at__gte=period.start_at)
    rows = (
        answers.values("question_id")
        .annotate(mean=Avg("value"), n=Count("pk"))
        .order_by("question__survey__opens_at", "question__order")
        .values_list(
            "question__survey__title", "question__survey__opens_at", "question__text", "mean", "n"
        )
    )
    return [
        {"survey": title, "date": timezone.localtime(opens).date().isoformat(), "question": text,
         "mean": round(mean, 2), "answers": n}
        for title, opens, text, mean, n in rows
    ]  # fmt: skip


def check_in_movement(period: Period, *, see_everything: bool = False):
    """Members with two or more check-ins in the period: from their first stage to their
    latest, as a table with small counts hidden. Never who moved."""
    check_ins = CheckIn.objects.filter(created_at__lt=period.end_at)
    if period.start_at:
        check_ins = check_ins.filter(created_at__gte=period.start_at)
    mine = check_ins.filter(member_id=OuterRef("pk"))
    earliest, newest = mine.order_by("created_at", "pk"), mine.order_by("-created_at", "-pk")
    rows = (
        User.objects.filter(is_active=True)
        .annotate(
            first=Subquery(earliest.values("stage")[:1]),
            latest=Subquery(newest.values("stage")[:1]),
            first_pk=Subquery(earliest.values("pk")[:1]),
            latest_pk=Subquery(newest.values("pk")[:1]),
        )
        # Two or more check-ins: the first and the latest are different rows.
        .filter(first_pk__isnull=False)
        .exclude(first_pk=F("latest_pk"))
        .values("first", "latest")
        .annotate(n=Count("pk"))
        .values_list("first", "latest", "n")
    )
    labels = dict(JourneyStage.choices)
    counts = {(labels[first], labels[latest]): n for first, latest, n in rows}
    names = [labels[s] for s in JourneyStage.values]
    if see_everything:
        return unsuppressed(counts, names, names)
    return suppress(counts, names, names, threshold=settings.SURVEY_SUPPRESSION_THRESHOLD)


def check_in_latest_stages(period: Period, *, see_everything: bool = False):
    """How many members are at each stage by their latest check-in, small counts hidden."""
    check_ins = CheckIn.objects.filter(created_at__lt=period.end_at)
    if period.start_at:
        check_ins = check_ins.filter(created_at__gte=period.start_at)
    mine = check_ins.filter(member_id=OuterRef("pk"))
    rows = (
        User.objects.filter(is_active=True)
        .annotate(latest=Subquery(mine.order_by("-created_at", "-pk").values("stage")[:1]))
        .filter(latest__isnull=False)
        .values("latest")
        .annotate(n=Count("pk"))
        .values_list("latest", "n")
    )
    labels = dict(JourneyStage.choices)
    counts = {(labels[stage], "Members"): n for stage, n in rows}
    names = [labels[s] for s in JourneyStage.values]
    if see_everything:
        return unsuppressed(counts, names, ["Members"])
    return suppress(counts, names, ["Members"], threshold=settings.SURVEY_SUPPRESSION_THRESHOLD)
