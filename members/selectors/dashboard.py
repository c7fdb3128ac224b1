"""The engagement and impact figures organisers and the steering group see: every figure is
computed by the database, each in one query, whatever the size of the data (retention in two,
with the counting done here over each member's first two sessions; the follow-ups of actions in
two, with their updates read here). The dashboard,
its CSV and `manage.py engagement_report` all read from here, so they always agree. They count
members, events, attendance and survey answers together, so this sits with the areas above the
other apps.

What a viewer may see follows the disclosure rules in cop_portal/web/disclosure.py: every function
that reads sensitive data takes the `Viewer`, and its default is the protected one, so a new
caller gets protected figures unless it asks otherwise."""

import datetime
from calendar import monthrange
from dataclasses import dataclass
from itertools import pairwise

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter
from django.utils import timezone

from cop_portal.web import disclosure
from cop_portal.web.time import LONDON
from events.models import CAUCUS_CHOICE_PERMISSION, Attendance, Event, Guest
from surveys.models import Answer, Invitation, Question, Survey

from ..caching import figures_cached
from ..models import (
    Action,
    ActionUpdate,
    CheckIn,
    JourneyStage,
    Sector,
    Seniority,
    User,
    ValueCycle,
    ValueStory,
)
from ..services.journey import FOLLOW_UP_DAYS

SENIOR = (Seniority.SENIOR_LEADER, Seniority.EXECUTIVE)
UNSUPPRESSED_PERMISSION = "surveys.view_unsuppressed_results"


@dataclass(frozen=True)
class Viewer:
    """What someone may see of the sensitive figures (cop_portal/web/disclosure.py, rules 1 to 6).

    Everyone without surveys.view_unsuppressed_results is protected, and all protected viewers
    get the same figures. Caucus sessions are shown one by one only to someone who also holds
    events.view_caucus_choice."""

    see_everything: bool = False
    see_caucus_sessions: bool = False

    @property
    def kind(self) -> str:
        """A short name for the cache: figures are kept per period and per kind of viewer."""
        if self.see_caucus_sessions:
            return "everything"
        return "unsuppressed" if self.see_everything else "protected"


PROTECTED = Viewer()
EVERYTHING = Viewer(see_everything=True, see_caucus_sessions=True)


def viewer_of(user) -> Viewer:
    everything = user.has_perm(UNSUPPRESSED_PERMISSION)
    return Viewer(
        see_everything=everything,
        see_caucus_sessions=everything and user.has_perm(CAUCUS_CHOICE_PERMISSION),
    )


def _threshold() -> int:
    return settings.SURVEY_SUPPRESSION_THRESHOLD


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

    def in_whole_months(self) -> "Period":
        """The period widened to whole calendar months (disclosure rule 1)."""
        return Period(disclosure.month_start(self.start), disclosure.month_end(self.end))

    def for_viewer(self, viewer: Viewer) -> "Period":
        """The period a viewer is shown: whole months unless they may see everything."""
        return self if viewer.see_everything else self.in_whole_months()


def period_shown(asked: Period, viewer: Viewer) -> tuple[Period, str]:
    """The period a viewer is shown for the dates they asked for, and the note that says why it
    differs when it does (protected viewers get whole months), else ""."""
    shown = asked.for_viewer(viewer)
    return shown, disclosure.MONTHS_NOTE if shown != asked else ""


def _all_events(period: Period):
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__lt=period.end_at)
    if period.start_at:
        events = events.filter(starts_at__gte=period.start_at)
    return events


def _events(period: Period, viewer: Viewer = PROTECTED):
    """The events whose attendance the viewer may see one by one: caucus sessions only for
    viewers allowed to see them (disclosure rule 2)."""
    events = _all_events(period)
    if not viewer.see_caucus_sessions:
        events = events.filter(caucus__isnull=True)
    return events


def _members(period: Period):
    members = User.objects.filter(is_active=True)
    if period.end is not None:
        members = members.filter(date_joined__lt=period.end_at)
    return members


# Attendance by active members counts, and so does that of members who erased their account:
# their rows stay, anonymised, so the numbers do not change (members/services/data_rights.py).
COUNTED_ATTENDANCE = Q(member__is_active=True) | Q(member__erased_at__isnull=False)


def _attendances(period: Period, viewer: Viewer = PROTECTED):
    return Attendance.objects.filter(COUNTED_ATTENDANCE, event__in=_events(period, viewer))


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


def events_with_attendance(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    rows = (
        _events(period, viewer)
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


def attendance_total(period: Period, viewer: Viewer = PROTECTED) -> int:
    return _attendances(period, viewer).count()


def caucus_sessions(period: Period, viewer: Viewer = PROTECTED) -> dict | None:
    """All caucus sessions in the period together, for viewers who may not see them one by
    one (disclosure rule 2): how many took place, and never how many came. A count per period
    would be a count per session once two periods a month apart were set side by side (April,
    then April and May), whatever was hidden when small. None for viewers who see each
    session."""
    if viewer.see_caucus_sessions:
        return None
    sessions = _all_events(period).filter(caucus__isnull=False).count()
    return {"sessions": sessions, "attendances": None}


def attendance_frequency(period: Period, viewer: Viewer = PROTECTED) -> dict[str, int]:
    """How many members came to 0, 1, 2 … events in the period, as {"0": n, "1": n, …}."""
    attended = _attendances(period, viewer)
    per_member = attended.values("member_id").annotate(n=Count("pk")).values("n")
    sql, params = per_member.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, COUNT(*) FROM ({sql}) t GROUP BY t.n ORDER BY t.n",  # noqa: S608 - the inner SQL is Django's, with its own parameters
            params,
        )
        counts = {str(n): c for n, c in cursor.fetchall()}
    # Never came: members who had joined by the end of the period and attended nothing in it.
    never = _members(period).exclude(attendances__in=attended).count()
    return {"0": never, **counts}


def attended_once_share(frequency: dict[str, int]) -> float:
    """Of the members who came at all, the share who came exactly once."""
    came = sum(n for times, n in frequency.items() if times != "0")
    return round(frequency.get("1", 0) / came, 4) if came else 0.0


def returning_members(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """For each event after the first: how many of its attendees were at the event before."""
    events = list(
        _events(period, viewer).order_by("starts_at", "pk").values_list("pk", "title", "starts_at")
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


def _months_later(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` calendar months on (the month's last day when it is
    shorter), in UK time."""
    local = timezone.localtime(moment, LONDON)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    return local.replace(year=year, month=month, day=min(local.day, monthrange(year, month)[1]))


RETENTION_WINDOWS = (3, 6)


def _first_and_next_sessions(viewer: Viewer) -> dict[int, list[datetime.datetime]]:
    """For each member who came to anything the viewer may see one by one, the start of the
    first two sessions they came to (one entry when they came once)."""
    seen: dict[int, list[datetime.datetime]] = {}
    rows = (
        _attendances(Period(), viewer)
        .order_by("member_id", "event__starts_at", "event_id")
        .values_list("member_id", "event__starts_at")
    )
    for member_id, starts_at in rows.iterator(chunk_size=5000):
        sessions = seen.setdefault(member_id, [])
        if len(sessions) < 2:
            sessions.append(starts_at)
    return seen


def retention_cohorts(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """Members by the month they joined (in the period): how many came to a session, and of
    those how many came back to another within 3 and within 6 months of their first. A window
    that has not yet closed for everyone in the cohort is marked open: its count can still
    grow. Caucus sessions count only for viewers who may see them one by one (rule 2), as in
    the other attendance figures."""
    now = timezone.now()
    sessions = _first_and_next_sessions(viewer)
    members = _members(period)
    if period.start_at:
        members = members.filter(date_joined__gte=period.start_at)
    cohorts: dict[str, dict] = {}
    for member_id, joined in members.values_list("pk", "date_joined").order_by("date_joined"):
        month = timezone.localtime(joined, LONDON).strftime("%Y-%m")
        cohort = cohorts.setdefault(
            month,
            {"month": month, "joined": 0, "came": 0,
             **{f"back_{m}": 0 for m in RETENTION_WINDOWS},
             **{f"open_{m}": False for m in RETENTION_WINDOWS}},
        )  # fmt: skip
        cohort["joined"] += 1
        if member_id not in sessions:
            continue
        first, *following = sessions[member_id]
        cohort["came"] += 1
        for months in RETENTION_WINDOWS:
            closes = _months_later(first, months)
            if following and following[0] <= closes:
                cohort[f"back_{months}"] += 1
            elif closes > now:
                cohort[f"open_{months}"] = True
    return list(cohorts.values())


def once_only_over_time(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """At the end of each month of the period, of the members who had come to anything by
    then, the share who had come exactly once."""
    attended = (
        _attendances(Period(end=period.end), viewer)
        .order_by("event__starts_at")
        .values_list("member_id", "event__starts_at")
    )
    counts: dict[int, int] = {}
    months: list[dict] = []
    current = None
    for member_id, starts_at in attended.iterator(chunk_size=5000):
        month = timezone.localtime(starts_at, LONDON).strftime("%Y-%m")
        if month != current and current is not None:
            months.append(_once_share(current, counts))
        current = month
        counts[member_id] = counts.get(member_id, 0) + 1
    if current is not None:
        months.append(_once_share(current, counts))
    if period.start is not None:
        first = period.start.strftime("%Y-%m")
        months = [row for row in months if row["month"] >= first]
    return months


def _once_share(month: str, counts: dict[int, int]) -> dict:
    came = len(counts)
    once = sum(1 for n in counts.values() if n == 1)
    return {"month": month, "came": came, "once": once, "share": round(once / came, 4)}


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


def senior_leaders(period: Period, viewer: Viewer = PROTECTED) -> dict:
    """Senior leaders and executives: how many are members, how many came, how often."""
    senior = _members(period).filter(seniority__in=SENIOR)
    came = _attendances(period, viewer).filter(member__seniority__in=SENIOR)
    figures = came.aggregate(attendances=Count("pk"), people=Count("member_id", distinct=True))
    return {"members": senior.count(), **figures}


QUARTER_NAMES = ("January to March", "April to June", "July to September", "October to December")


def _in_whole_quarters(period: Period) -> Period:
    """The period widened to the calendar quarters it touches."""

    def quarter_start(day):
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)

    start = quarter_start(period.start) if period.start else None
    end = None
    if period.end:
        end = disclosure.month_end(quarter_start(period.end) + relativedelta(months=2))
    return Period(start, end)


def senior_leader_attendance(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """Senior leaders at sessions, quarter by quarter (of the session's UK date): guests who
    came (invited senior leaders, who are not members) and senior members who came (people,
    not visits), and both together. A guest who has since joined and is recorded as a member
    at the same session counts once, as a member.

    For protected viewers guests from 1 to k − 1 are hidden (disclosure rule 3), and so is the
    together column then, since senior members who came are shown exactly (as on the rest of
    the dashboard, where senior leaders' attendance at open sessions is no secret): together
    minus members would give the guests away (rule 4). Each quarter is counted whole whatever
    the period's dates, so two periods that cut a quarter differently have nothing to
    subtract."""
    if not viewer.see_everything:
        period = _in_whole_quarters(period)
    quarter = TruncQuarter("event__starts_at", tzinfo=LONDON)
    guests = dict(
        Guest.objects.filter(
            attended=True, withdrawn_at__isnull=True, event__in=_events(period, viewer)
        )
        .exclude(member__attendances__event=F("event"))
        .annotate(quarter=quarter)
        .values_list("quarter")
        .annotate(n=Count("pk"))
    )
    members = dict(
        _attendances(period, viewer)
        .filter(member__seniority__in=SENIOR)
        .annotate(quarter=quarter)
        .values_list("quarter")
        .annotate(n=Count("member_id", distinct=True))
    )
    rows = []
    for start in sorted(set(guests) | set(members)):
        g, m = guests.get(start, 0), members.get(start, 0)
        shown_g, shown_both = g, g + m
        if not viewer.see_everything:
            shown_g = disclosure.count_shown(g, _threshold())
            shown_both = None if shown_g is None else g + m
        start = timezone.localtime(start, LONDON) if timezone.is_aware(start) else start
        label = f"{QUARTER_NAMES[(start.month - 1) // 3]} {start.year}"
        rows.append({"quarter": label, "guests": shown_g, "members": m,
                     "together": shown_both})  # fmt: skip
    return rows


def sector_mix(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    members = dict(_members(period).values_list("sector").annotate(n=Count("pk")))
    came = dict(_attendances(period, viewer).values_list("member__sector").annotate(n=Count("pk")))
    labels = dict(Sector.choices)
    keys = sorted(set(members) | set(came), key=lambda k: (k == "", labels.get(k, k)))
    return [
        {"sector": labels.get(k, "Not stated"), "members": members.get(k, 0),
         "attendances": came.get(k, 0)}
        for k in keys
    ]  # fmt: skip


def engagement(period: Period = Period(), viewer: Viewer = PROTECTED) -> dict:
    """The engagement figures, as `manage.py engagement_report --format json` prints them.
    The period is used as given: callers widen it for protected viewers first."""
    frequency = attendance_frequency(period, viewer)
    events = events_with_attendance(period, viewer)
    return {
        "members": member_count(period),
        "organisations": organisations(period),
        "events": [{k: e[k] for k in ("date", "title", "attendance")} for e in events],
        "attendances": attendance_total(period, viewer),
        "attendance_frequency": frequency,
        "attended_once_share": attended_once_share(frequency),
        "caucus_sessions": caucus_sessions(period, viewer),
        "returning_members": returning_members(period, viewer),
        "new_joiners_by_month": new_joiners_by_month(period),
        "retention_cohorts": retention_cohorts(period, viewer),
        "once_only_over_time": once_only_over_time(period, viewer),
        "senior_leaders": senior_leaders(period, viewer),
        "senior_leader_attendance": senior_leader_attendance(period, viewer),
        "sector_mix": sector_mix(period, viewer),
    }


# Surveys ---------------------------------------------------------------------------------------


def survey_response_rates(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """Invited, responded and the rate, survey by survey. A survey whose audience comes from a
    caucus (a caucus survey, or one after a caucus session) counts a caucus or its session:
    for protected viewers its small counts, and the rate made from them, are hidden
    (disclosure rule 5)."""
    surveys = Survey.objects.filter(invitations_sent_at__isnull=False, opens_at__lt=period.end_at)
    if period.start_at:
        surveys = surveys.filter(opens_at__gte=period.start_at)
    rows = (
        surveys.annotate(
            invited=Count("invitations", distinct=True),
            responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
        )
        .order_by("opens_at", "pk")
        .values_list("title", "opens_at", "invited", "responded", "kind", "event__caucus_id")
    )
    found = []
    for title, opens, invited, responded, kind, session_caucus in rows:
        counts = disclosure.audience_counts(
            invited,
            responded,
            from_caucus=kind == Survey.Kind.CAUCUS or session_caucus is not None,
            may_see_caucus=viewer.see_caucus_sessions,
            threshold=_threshold(),
        )
        found.append(
            {"title": title, "date": timezone.localtime(opens).date().isoformat(),
             "invited": counts.invited, "responded": counts.responded, "rate": counts.rate,
             "hidden": counts.hidden}
        )  # fmt: skip
    return found


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


def _agreement_answers(period: Period):
    answers = Answer.objects.filter(
        question__kind=Question.Kind.AGREEMENT, response__survey__opens_at__lt=period.end_at
    )
    if period.start_at:
        answers = answers.filter(response__survey__opens_at__gte=period.start_at)
    return answers


def _questions_counted(period: Period, viewer: Viewer) -> set[int] | None:
    """The agreement questions whose mean a viewer may see (None: every one). For protected
    viewers a question counts when at least k answered it (disclosure rule 3) and no answer's
    count is from 1 to k − 1, as its results page requires to show the mean (rule 5 there):
    a mean beside hidden counts would pin them. One query."""
    if viewer.see_everything:
        return None
    threshold = _threshold()
    counts: dict[int, list[int]] = {}
    for question_id, n in (
        _agreement_answers(period).values_list("question_id", "value").annotate(n=Count("pk"))
    ).values_list("question_id", "n"):
        counts.setdefault(question_id, []).append(n)
    return {
        question_id
        for question_id, found in counts.items()
        if sum(found) >= threshold and disclosure.mean_shown(found, threshold)
    }


def value_cycles(period: Period, viewer: Viewer = PROTECTED) -> list[dict]:
    """For each of Wenger-Trayner's value-creation cycles: completed actions tagged with it,
    and the survey questions tagged with it with their mean agreement (1–5).

    For protected viewers only questions whose mean they may see count (`_questions_counted`),
    so the difference between two periods is always whole questions of k answers or more."""
    actions = Action.objects.filter(status=Action.Status.DONE).exclude(value_cycle="")
    if period.start:
        actions = actions.filter(completed_on__gte=period.start)
    if period.end:
        actions = actions.filter(completed_on__lte=period.end)
    done = dict(actions.values_list("value_cycle").annotate(n=Count("pk")))
    per_question = (
        _agreement_answers(period)
        .exclude(question__value_cycle="")
        .values("question_id")
        .annotate(total=Sum("value"), n=Count("pk"))
        .values_list("question_id", "question__value_cycle", "total", "n")
    )
    counted = _questions_counted(period, viewer)
    evidence = {}  # cycle: [questions, sum of answers, answers]
    for question_id, cycle, total, n in per_question:
        if counted is None or question_id in counted:
            found = evidence.setdefault(cycle, [0, 0, 0])
            found[0] += 1
            found[1] += total
            found[2] += n
    rows = []
    for cycle, label in ValueCycle.choices:
        questions, total, n = evidence.get(cycle, (0, 0, 0))
        rows.append(
            {"cycle": cycle, "label": label, "actions_done": done.get(cycle, 0),
             "survey_questions": questions,
             "mean_agreement": round(total / n, 2) if n else None, "answers": n}
        )  # fmt: skip
    return rows


def agreement_over_time(period: Period, viewer: Viewer = PROTECTED) -> dict:
    """Mean agreement (1–5) per agreement question, survey by survey, oldest first, and how
    many questions were left out for protected viewers (`_questions_counted`)."""
    rows = (
        _agreement_answers(period)
        .values("question_id")
        .annotate(total=Sum("value"), n=Count("pk"))
        .order_by("question__survey__opens_at", "question__order", "question_id")
        .values_list(
            "question_id", "question__survey__title", "question__survey__opens_at",
            "question__text", "total", "n",
        )
    )  # fmt: skip
    counted = _questions_counted(period, viewer)
    shown = [
        {"survey": title, "date": timezone.localtime(opens).date().isoformat(), "question": text,
         "mean": round(total / n, 2), "answers": n}
        for question_id, title, opens, text, total, n in rows
        if counted is None or question_id in counted
    ]  # fmt: skip
    return {"rows": shown, "left_out": len(rows) - len(shown)}


ONE_CHECK_IN = "Only one check-in"


def check_in_stages(period: Period, viewer: Viewer = PROTECTED):
    """Members with check-ins in the period, by first stage (rows) and latest stage (columns),
    with small counts hidden for protected viewers. Never who moved.

    Members with a single check-in have a row of their own, so the column totals are the
    members at each stage by their latest check-in: the movement table and the latest-stage
    table are one publication with one set of margins, audited together by `suppress()`."""
    end_at = period.end_at
    if not viewer.see_everything:
        # Only months that have ended: figures that moved as each check-in arrived could be
        # watched, reload by reload, to learn what one member had just said.
        end_at = min(end_at, _this_month_start())
    check_ins = CheckIn.objects.filter(created_at__lt=end_at)
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
        .filter(first_pk__isnull=False)
        # One check-in: the first and the latest are the same row.
        .annotate(one=Case(When(first_pk=F("latest_pk"), then=Value(True)), default=Value(False)))
        .values("first", "latest", "one")
        .annotate(n=Count("pk"))
        .values_list("first", "latest", "one", "n")
    )
    labels = dict(JourneyStage.choices)
    counts = {
        (ONE_CHECK_IN if one else labels[first], labels[latest]): n
        for first, latest, one, n in rows
    }
    names = [labels[s] for s in JourneyStage.values]
    if viewer.see_everything:
        return disclosure.unsuppressed(counts, [*names, ONE_CHECK_IN], names)
    table = disclosure.suppress(counts, [*names, ONE_CHECK_IN], names, threshold=_threshold())
    if period.end_at > _this_month_start():
        table.notes.append(CURRENT_MONTH_NOTE)
    return table


CURRENT_MONTH_NOTE = (
    "Check-ins made this month are counted once the month has ended, so that nobody can watch "
    "the figures change as each one is made."
)


def _this_month_start() -> datetime.datetime:
    today = timezone.localdate()
    return datetime.datetime.combine(today.replace(day=1), datetime.time.min, tzinfo=LONDON)


# After each session: its survey, and what the follow-ups go with ------------------------------
#
# These compare what members did with and without the emails that follow a session and an
# action. The emails were not handed out at random (the first sessions came before them, and
# some members turn them off), so a difference is an association, never proof that the email
# caused it; the page says so.

# How long after a session, or after an action's three-month mark, what members did counts.
FOLLOW_UP_WINDOW = datetime.timedelta(days=30)
EMAIL_DUE = "After-session email due"
NO_EMAIL = "No after-session email"
ACTED = "Recorded an action from the session"
NOT_ACTED = "Did not"
FOLLOW_UP_DUE = "Follow-up due"
NO_FOLLOW_UP = "No follow-up"
DONE_AFTER = "Completed within 30 days"
UPDATED_AFTER = "Updated, not completed"
NOT_UPDATED = "No update"
BOTH_GROUPS = "Both groups together"
OPEN_STATUSES = (Action.Status.PLANNED, Action.Status.IN_PROGRESS)


def _session_surveys():
    return Survey.objects.filter(kind=Survey.Kind.POST_EVENT, status=Survey.Status.PUBLISHED)


def session_survey_rates(period: Period, viewer: Viewer = PROTECTED) -> dict:
    """For each session in the period with a published survey after it, oldest first: how
    many came, how many answered its survey (anyone who answered one of them, when it has
    several), the rate, whether any of those who came were due the after-session email, and
    whether a survey is still open (its count can grow). One query, and one more for the
    caucus sessions left out.

    Answers are counted per survey, from the invitations marked answered, as the survey pages
    count them: nothing here joins a response to a person. Caucus sessions are listed only to
    viewers who may see them one by one (disclosure rule 2); for everyone else they are left
    out, with no figure about them, and `caucus_left_out` says how many sessions that is. What
    is left is attendance at open sessions and answers to their surveys, which the survey table
    already shows exactly; `disclosure.audience_counts` applies the caucus rule to each row,
    the same rule as there, so the two tables always agree."""
    now = timezone.now()
    surveys = _session_surveys().filter(event=OuterRef("pk"))
    came = (
        Attendance.objects.filter(COUNTED_ATTENDANCE, event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = (
        Invitation.objects.filter(
            survey__in=_session_surveys(), survey__event=OuterRef("pk"), responded=True
        )
        .order_by()
        .values("survey__event")
        .annotate(n=Count("member", distinct=True))
        .values("n")
    )
    emailed = Attendance.objects.filter(event=OuterRef("pk"), after_session_sent_at__isnull=False)
    rows = (
        _events(period, viewer)
        .filter(Exists(surveys))
        .annotate(
            came=Coalesce(Subquery(came), 0),
            answered=Coalesce(Subquery(answered), 0),
            emailed=Exists(emailed),
            still_open=Exists(surveys.filter(closes_at__gt=now)),
        )
        .order_by("starts_at", "pk")
        .values_list("starts_at", "title", "caucus_id", "came", "answered", "emailed", "still_open")
    )
    found = []
    for starts, title, caucus_id, came_n, answered_n, emailed_n, still_open in rows:
        counts = disclosure.audience_counts(
            came_n,
            answered_n,
            from_caucus=caucus_id is not None,
            may_see_caucus=viewer.see_caucus_sessions,
            threshold=_threshold(),
        )
        found.append(
            {"date": timezone.localtime(starts).date().isoformat(), "title": title,
             "came": counts.invited, "answered": counts.responded, "rate": counts.rate,
             "hidden": counts.hidden, "emailed": emailed_n, "open": still_open}
        )  # fmt: skip
    left_out = None
    if not viewer.see_caucus_sessions:
        left_out = _all_events(period).filter(caucus__isnull=False).filter(Exists(surveys)).count()
    return {"rows": found, "caucus_left_out": left_out}


def answers_by_email(sessions: dict) -> list[dict]:
    """The sessions of `session_survey_rates` in two groups, those where the after-session
    email was due and those where it was not: sessions, people who came, answers and the
    rate. Sums of the rows shown beside them, so nothing new and nothing to hide."""
    groups = {True: [0, 0, 0], False: [0, 0, 0]}
    for row in sessions["rows"]:
        if row["hidden"]:
            continue  # never the case for a row a viewer is shown; kept safe all the same
        group = groups[row["emailed"]]
        group[0] += 1
        group[1] += row["came"]
        group[2] += row["answered"]
    return [
        {"group": label, "sessions": n, "came": came, "answered": answered,
         "rate": round(answered / came, 4) if came else None}
        for label, (n, came, answered) in (
            (EMAIL_DUE, groups[True]), (NO_EMAIL, groups[False])
        )
    ]  # fmt: skip


def _compared_over(period: Period, viewer: Viewer) -> Period:
    """The period the follow-up comparisons count: the one chosen for viewers who may see
    everything; for everyone else, all time. These tables hide their small counts, but a
    table for January to March set beside one for January to April would give April's counts
    exactly, however small, by subtraction; a table that is the same whatever the dates has
    nothing to subtract."""
    return period if viewer.see_everything else Period()


def _settled_before(viewer: Viewer) -> datetime.datetime:
    """What counts has had its 30 days by this moment. For protected viewers, the start of this
    month: figures that moved day by day as each session's or action's 30 days ran out could
    be watched to learn what its few people did (as check-ins wait for their month to end)."""
    now = timezone.now()
    return now if viewer.see_everything else min(now, _this_month_start())


def actions_after_sessions(period: Period, viewer: Viewer = PROTECTED):
    """Attendances at sessions in the period whose 30 days have passed, by whether the member
    was due the after-session email (it went unless they had turned such emails off) and
    whether they recorded an action tied to that session within 30 days of its end. Each
    attendance is one count; small counts, and any that would give them away, are hidden for
    protected viewers by `disclosure.suppress`. Caucus sessions only for viewers who may see
    them one by one (rule 2); all time for them (`_compared_over`). One query."""
    period = _compared_over(period, viewer)
    settled = _settled_before(viewer) - FOLLOW_UP_WINDOW
    acted = Action.objects.filter(
        member_id=OuterRef("member_id"),
        event_id=OuterRef("event_id"),
        created_at__lt=OuterRef("event__ends_at") + FOLLOW_UP_WINDOW,
    )
    rows = (
        _attendances(period, viewer)
        .filter(event__ends_at__lte=settled)
        .annotate(
            due=ExpressionWrapper(Q(after_session_sent_at__isnull=False), BooleanField()),
            acted=Exists(acted),
        )
        .order_by()
        .values("due", "acted")
        .annotate(n=Count("pk"))
        .values_list("due", "acted", "n")
    )
    counts = {
        (EMAIL_DUE if due else NO_EMAIL, ACTED if did else NOT_ACTED): n for due, did, n in rows
    }
    return _grouped_table(counts, [EMAIL_DUE, NO_EMAIL], [ACTED, NOT_ACTED], viewer)


def action_follow_ups(period: Period, viewer: Viewer = PROTECTED):
    """Actions recorded in the period that were still open three months on, by whether the
    three-month follow-up was due (it went unless the member had turned reminders off; actions
    older than the follow-ups never had one), and what happened in the 30 days from the
    follow-up (or, without one, from the day it would have gone): completed, updated, or
    nothing. Only actions whose 30 days have passed. Small counts hidden, and all time, for
    protected viewers as in `actions_after_sessions`. Two queries: the actions, then their
    updates, read here.

    Whether an action was still open on its 91st day is read from its updates: the status of
    the last update before that day, or, with none before it, open (a new action starts
    planned, and only an update changes its status)."""
    period = _compared_over(period, viewer)
    settled = timezone.localtime(_settled_before(viewer), LONDON).date()
    latest_created = timezone.now() - datetime.timedelta(days=FOLLOW_UP_DAYS)
    actions = Action.objects.filter(created_at__lt=min(period.end_at, latest_created))
    if period.start_at:
        actions = actions.filter(created_at__gte=period.start_at)
    starts: dict[int, tuple[bool, datetime.date, str]] = {}
    for pk, created, sent_on, status in actions.values_list(
        "pk", "created_at", "follow_up_sent_on", "status"
    ):
        day = sent_on or (
            timezone.localtime(created, LONDON).date() + datetime.timedelta(days=FOLLOW_UP_DAYS)
        )
        if day + FOLLOW_UP_WINDOW <= settled:
            starts[pk] = (sent_on is not None, day, status)
    before: dict[int, str] = {}  # the status of the last update before the start day
    updated: set[int] = set()
    outcome: dict[int, str] = {}
    updates = (
        ActionUpdate.objects.filter(action__in=actions)
        .order_by("action_id", "created_at", "pk")
        .values_list("action_id", "status", "created_at")
    )
    for action_id, status, created in updates.iterator(chunk_size=5000):
        if action_id not in starts:
            continue
        updated.add(action_id)
        _, day, _ = starts[action_id]
        on = timezone.localtime(created, LONDON).date()
        if on < day:
            before[action_id] = status
        elif on < day + FOLLOW_UP_WINDOW:
            done = status == Action.Status.DONE or outcome.get(action_id) == DONE_AFTER
            outcome[action_id] = DONE_AFTER if done else UPDATED_AFTER
    counts: dict[tuple[str, str], int] = {}
    for pk, (sent, _, status_now) in starts.items():
        # Open on the start day? The last update before it says; with updates only after it,
        # the action was as it was made, planned; with none at all, its status now is the one
        # it was made with. (An action with a follow-up was open when it went.)
        status_then = before.get(pk, Action.Status.PLANNED if pk in updated else status_now)
        if not sent and status_then not in OPEN_STATUSES:
            continue
        key = (FOLLOW_UP_DUE if sent else NO_FOLLOW_UP, outcome.get(pk, NOT_UPDATED))
        counts[key] = counts.get(key, 0) + 1
    return _grouped_table(
        counts, [FOLLOW_UP_DUE, NO_FOLLOW_UP], [DONE_AFTER, UPDATED_AFTER, NOT_UPDATED], viewer
    )


SETTLED_NOTE = (
    "This table counts every session or action since the portal began whose 30 days ended "
    "before this month, whatever dates are chosen, so that nobody can single anyone out by "
    "setting two date ranges side by side or by watching the figures as each one's time runs "
    "out."
)


def _grouped_table(counts, rows, columns, viewer: Viewer):
    """A comparison table through the disclosure layer: exact for viewers who may see
    everything; otherwise small counts hidden, and any that would let one be worked out from
    the row and column totals (`disclosure.suppress`). A group too small to stand alone is
    pooled with the other, which leaves one row: no comparison, and nothing given away."""
    if viewer.see_everything:
        return disclosure.unsuppressed(counts, rows, columns)
    table = disclosure.suppress(
        counts, rows, columns, threshold=_threshold(), other_label=BOTH_GROUPS
    )
    table.notes.append(SETTLED_NOTE)
    return table


def follow_up_effect(period: Period, viewer: Viewer = PROTECTED) -> dict:
    """The figures that set what members did with the follow-up emails against what they did
    without them: survey answers by session, actions after sessions, and actions after the
    three-month follow-up."""
    sessions = session_survey_rates(period, viewer)
    return {
        "session_survey_rates": sessions,
        "answers_by_email": answers_by_email(sessions),
        "actions_after_sessions": actions_after_sessions(period, viewer),
        "action_follow_ups": action_follow_ups(period, viewer),
    }


# Headline figures, with their trend -----------------------------------------------------------

ACTIVE_DAYS = 90


def previous_period(period: Period, viewer: Viewer) -> Period | None:
    """The period as long as `period` just before it (whole months for protected viewers, as
    any period they are shown), or None when `period` has no start (all time has no before)."""
    if period.start is None:
        return None
    end = period.end or timezone.localdate()
    length = end - period.start + datetime.timedelta(days=1)
    before = period.start - datetime.timedelta(days=1)
    return Period(before - length + datetime.timedelta(days=1), before).for_viewer(viewer)


def _active_members(period: Period, viewer: Viewer) -> int:
    """Members who came to a session in the 90 days up to the period's end."""
    since = period.end_at - datetime.timedelta(days=ACTIVE_DAYS)
    return (
        _attendances(Period(), viewer)
        .filter(event__starts_at__gte=since, event__starts_at__lt=period.end_at)
        .values("member_id")
        .distinct()
        .count()
    )


def _overall_response_rate(rows: list[dict]) -> float | None:
    """Answered over invited, across the surveys whose counts the viewer may see (a hidden
    caucus survey would otherwise be the difference between this and the rows shown)."""
    shown = [row for row in rows if not row["hidden"]]
    invited = sum(row["invited"] for row in shown)
    return round(sum(row["responded"] for row in shown) / invited, 4) if invited else None


def _actions_completed(period: Period) -> int:
    done = Action.objects.filter(
        status=Action.Status.DONE, completed_on__lte=period.end or timezone.localdate()
    )
    if period.start:
        done = done.filter(completed_on__gte=period.start)
    return done.count()


def _headline_values(period: Period, viewer: Viewer) -> dict:
    frequency = attendance_frequency(period, viewer)
    came = sum(n for times, n in frequency.items() if int(times) > 0)
    return {
        "members": member_count(period),
        "active": _active_members(period, viewer),
        "once_only": attended_once_share(frequency) if came else None,
        "response_rate": _overall_response_rate(survey_response_rates(period, viewer)),
        "actions_done": _actions_completed(period),
        "senior_attendance": senior_leaders(period, viewer)["attendances"],
    }


HEADLINES = [
    ("members", "Members", "count"),
    ("active", f"Came to a session in the last {ACTIVE_DAYS} days", "count"),
    ("once_only", "Came only once", "share"),
    ("response_rate", "Survey response rate", "share"),
    ("actions_done", "Actions completed", "count"),
    ("senior_attendance", "Senior-leader attendances", "count"),
]


def headlines(period: Period, viewer: Viewer = PROTECTED) -> dict:
    """The six figures the dashboard and the termly report open with, each beside the same
    figure for the period before (`previous_period`), when there is one. Each is worked out
    by the same functions as the detail below it, so it shows nothing the viewer could not
    get by asking for the other period."""
    now = _headline_values(period, viewer)
    before_period = previous_period(period, viewer)
    before = _headline_values(before_period, viewer) if before_period else {}
    rows = []
    for key, label, kind in HEADLINES:
        value, earlier = now[key], before.get(key)
        change = None if value is None or earlier is None else round(value - earlier, 4)
        rows.append(
            {"key": key, "label": label, "kind": kind, "value": value, "previous": earlier,
             "change": change}
        )  # fmt: skip
    return {
        "rows": rows,
        "previous_start": before_period.start if before_period else None,
        "previous_end": before_period.end if before_period else None,
    }


# The termly report: the organisers' stories beside the figures --------------------------------


def value_stories(period: Period | None = None):
    """The organisers' value-creation stories, those that happened within `period` if given,
    latest first."""
    stories = ValueStory.objects.select_related("written_by")
    if period is not None and period.start:
        stories = stories.filter(happened_on__gte=period.start)
    if period is not None and period.end:
        stories = stories.filter(happened_on__lte=period.end)
    return stories


# The dashboard's figures -----------------------------------------------------------------------


def dashboard_figures(period: Period, *, viewer: Viewer) -> dict:
    """Every figure on the dashboard and in its CSV, each fetched once, from the cache when
    someone has asked for the same period in the last ten minutes (members.caching)."""
    return figures_cached(
        period, viewer=viewer, now=timezone.now(), work=lambda: _figures(period, viewer)
    )


def _figures(period: Period, viewer: Viewer) -> dict:
    return {
        "worked_out_at": timezone.now(),
        **engagement(period, viewer),
        "response_rates": survey_response_rates(period, viewer),
        "value_cycles": value_cycles(period, viewer),
        "actions_by_level": actions_by_level(period),
        "check_in_stages": check_in_stages(period, viewer),
        "agreement_over_time": agreement_over_time(period, viewer),
        **follow_up_effect(period, viewer),
        "headlines": headlines(period, viewer),
        "threshold": _threshold(),
    }


def response_rates_note(figures: dict) -> str:
    """What the response rates say when some of them are hidden, else ""."""
    if not any(row["hidden"] for row in figures["response_rates"]):
        return ""
    note = disclosure.SMALL_COUNT_NOTE.format(last=figures["threshold"] - 1)
    return f"{note} This applies to surveys whose audience comes from a caucus."
