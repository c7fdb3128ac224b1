"""Reads for the organisers' People pages: the member list with its filters and CSV, and what a
member's page shows an organiser.

Nothing here says or lets anyone work out who is in a caucus (special category data: it reveals
racial identity). The list has no caucus column or filter, and "last attended" and every count
on these pages leave caucus sessions out (see `open_attendance`). Organisers trusted with
caucus choices (`events.view_caucus_choice`) see a member's caucus sessions on the member's
page only, and that view is audited as such."""

import datetime
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Lower
from django.utils import timezone

from cop_portal.web.time import LONDON
from events.models import CAUCUS_CHOICE_PERMISSION, Attendance

from ..models import Action, User
from ..roles import ORGANISERS, STEERING_GROUP
from .accounts import unclaimed_members

# Roles an organiser may filter by; "member" is someone with neither.
ROLE_ORGANISER, ROLE_STEERING, ROLE_MEMBER = "organiser", "steering", "member"
ROLE_CHOICES = [
    (ROLE_ORGANISER, "Organiser"),
    (ROLE_STEERING, "Steering group"),
    (ROLE_MEMBER, "Neither (member)"),
]
# The roles that can be given and taken away on a member's page, by their group names.
MANAGED_ROLES = {ROLE_ORGANISER: ORGANISERS, ROLE_STEERING: STEERING_GROUP}

STATUS_JOINED, STATUS_UNCLAIMED, STATUS_ERASED = "joined", "unclaimed", "erased"
STATUS_CHOICES = [
    (STATUS_JOINED, "Joined (has an account)"),
    (STATUS_UNCLAIMED, "Imported, not yet joined"),
    (STATUS_ERASED, "Erased"),
]
STATUS_LABELS = dict(STATUS_CHOICES)

LAST_NEVER, LAST_RECENT, LAST_YEAR, LAST_LONGER = "never", "3m", "3-12m", "12m+"
LAST_ATTENDED_CHOICES = [
    (LAST_NEVER, "Never"),
    (LAST_RECENT, "In the last 3 months"),
    (LAST_YEAR, "3 to 12 months ago"),
    (LAST_LONGER, "More than 12 months ago"),
]


def open_attendance() -> QuerySet:
    """Attendance at sessions that are not caucus sessions.

    Caucus sessions are left out of "last attended" and of every count on these pages, for
    everyone, rather than counted like any other session: counted, a member whose only recent
    session was a caucus one would move from "never" or "more than 12 months ago" into "in the
    last 3 months" on the day of a caucus session, and comparing the list before and after it
    (or the dates shown against the programme, where caucus sessions are listed) would name the
    caucus's members. Organisers take registers of open sessions anyway, so these dates say
    nothing they could not already see."""
    return Attendance.objects.filter(event__caucus__isnull=True)


def _months_ago(months: int, *, now: datetime.datetime) -> datetime.datetime:
    """`months` calendar months before `now`, in UK time, on the same day where it exists."""
    local = now.astimezone(LONDON)
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, 28)
    return local.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class MemberFilters:
    search: str = ""
    organisation: object = None
    sector: str = ""
    seniority: str = ""
    role: str = ""
    status: str = ""
    joined_from: datetime.date | None = None
    joined_to: datetime.date | None = None
    last_attended: str = ""

    def described(self) -> str:
        """The filters in force, for the audit trail: which were used, never the values typed
        (a search may be a name or an email address)."""
        coded = [
            f"{name}={getattr(self, name)}"
            for name in ("sector", "seniority", "role", "status", "last_attended")
            if getattr(self, name)
        ]
        if self.organisation is not None:
            coded.append(f"organisation=#{self.organisation.pk}")
        for name in ("joined_from", "joined_to"):
            if getattr(self, name):
                coded.append(f"{name}={getattr(self, name).isoformat()}")
        if self.search:
            coded.append("search")
        return ", ".join(coded) or "no filter"


def _in_group(name: str):
    return Exists(User.groups.through.objects.filter(user=OuterRef("pk"), group__name=name))


def member_list(filters: MemberFilters, *, now: datetime.datetime | None = None) -> QuerySet:
    """Every member (erased and imported ones included, marked), filtered, with what a row of
    the list and its CSV show: organisation, roles, status and the last open session attended."""
    now = now or timezone.now()
    last_open = (
        open_attendance()
        .filter(member=OuterRef("pk"))
        .order_by("-event__starts_at")
        .values("event__starts_at")[:1]
    )
    members = (
        User.objects.select_related("organisation")
        .annotate(
            last_attended=Subquery(last_open),
            is_organiser=_in_group(ORGANISERS),
            is_steering=_in_group(STEERING_GROUP),
            is_unclaimed=ExpressionWrapper(
                unclaimed_members() & Q(erased_at__isnull=True), output_field=BooleanField()
            ),
        )
        .order_by(Lower("name"), "email", "pk")
    )
    if filters.search:
        members = members.filter(
            Q(name__icontains=filters.search) | Q(email__icontains=filters.search)
        )
    if filters.organisation is not None:
        members = members.filter(organisation=filters.organisation)
    if filters.sector:
        members = members.filter(sector=filters.sector)
    if filters.seniority:
        members = members.filter(seniority=filters.seniority)
    if filters.role == ROLE_ORGANISER:
        members = members.filter(is_organiser=True)
    elif filters.role == ROLE_STEERING:
        members = members.filter(is_steering=True)
    elif filters.role == ROLE_MEMBER:
        members = members.filter(is_organiser=False, is_steering=False)
    if filters.status == STATUS_ERASED:
        members = members.filter(erased_at__isnull=False)
    elif filters.status == STATUS_UNCLAIMED:
        members = members.filter(is_unclaimed=True)
    elif filters.status == STATUS_JOINED:
        members = members.filter(erased_at__isnull=True, is_unclaimed=False)
    if filters.joined_from:
        start = datetime.datetime.combine(filters.joined_from, datetime.time.min, LONDON)
        members = members.filter(date_joined__gte=start)
    if filters.joined_to:
        end = datetime.datetime.combine(
            filters.joined_to + datetime.timedelta(days=1), datetime.time.min, LONDON
        )
        members = members.filter(date_joined__lt=end)
    if filters.last_attended:
        three, twelve = _months_ago(3, now=now), _months_ago(12, now=now)
        members = members.filter(
            **{
                LAST_NEVER: {"last_attended__isnull": True},
                LAST_RECENT: {"last_attended__gte": three},
                LAST_YEAR: {"last_attended__gte": twelve, "last_attended__lt": three},
                LAST_LONGER: {"last_attended__lt": twelve},
            }[filters.last_attended]
        )
    return members


def member_status(member) -> str:
    if member.erased_at:
        return STATUS_ERASED
    return STATUS_UNCLAIMED if member.is_unclaimed else STATUS_JOINED


def member_roles(member) -> list[str]:
    """The role names shown for a row of `member_list`."""
    return [
        label
        for label, held in (
            ("Organiser", member.is_organiser),
            ("Steering group", member.is_steering),
        )
        if held
    ]


CSV_HEADER = (
    "Name",
    "Email",
    "Organisation",
    "Sector",
    "Seniority",
    "Job role",
    "Roles",
    "Status",
    "Joined",
    "Last open session attended",
)


def member_list_rows(members) -> list[tuple]:
    """The CSV's rows: what the list page shows, and nothing more."""
    rows = []
    for m in members:
        erased = m.erased_at is not None
        rows.append(
            (
                m.name,
                "" if erased else m.email,
                m.organisation.name if m.organisation else "",
                m.get_sector_display(),
                m.get_seniority_display(),
                m.job_role,
                "; ".join(member_roles(m)),
                STATUS_LABELS[member_status(m)],
                m.date_joined.astimezone(LONDON).date().isoformat(),
                m.last_attended.astimezone(LONDON).date().isoformat() if m.last_attended else "",
            )
        )
    return rows


# A member's page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPage:
    member: User
    roles: list[str]
    status: str
    sessions: list
    sessions_include_caucus: bool
    actions: int
    has_authenticator: bool


def member_page(*, member: User, viewer: User) -> MemberPage:
    """What an organiser may see of one member: their profile, roles, the sessions they came to
    (caucus sessions only for a viewer trusted with caucus choices) and how many actions they
    recorded (counts only: actions are private; those prompted by a caucus session counted only
    for such a viewer). Survey participation is not shown: for an anonymous survey, whether a
    member answered is theirs alone."""

    with_caucus = viewer.has_perm(CAUCUS_CHOICE_PERMISSION)
    attended = Attendance.objects if with_caucus else open_attendance()
    sessions = list(
        attended.filter(member=member)
        .select_related("event", "event__caucus")
        .order_by("-event__starts_at")
    )
    actions = Action.objects.filter(member=member)
    if not with_caucus:
        actions = actions.filter(event__caucus__isnull=True)
    groups = set(member.groups.values_list("name", flat=True))
    annotated = (
        User.objects.filter(pk=member.pk)
        .annotate(
            is_unclaimed=ExpressionWrapper(
                unclaimed_members() & Q(erased_at__isnull=True), output_field=BooleanField()
            )
        )
        .get()
    )
    return MemberPage(
        member=member,
        roles=[label for key, label in ROLE_CHOICES[:2] if MANAGED_ROLES[key] in groups],
        status=member_status(annotated),
        sessions=sessions,
        sessions_include_caucus=with_caucus,
        actions=actions.count(),
        has_authenticator=member_has_authenticator(member),
    )


def member_has_authenticator(member: User) -> bool:
    """Whether `member` has set up two-step sign-in with an authenticator app."""
    return Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()


def role_group(role: str) -> Group | None:
    name = MANAGED_ROLES.get(role)
    return Group.objects.filter(name=name).first() if name else None


def holds_role(member: User, role: str) -> bool:
    return member.groups.filter(name=MANAGED_ROLES[role]).exists()
