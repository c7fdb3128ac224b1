"""Reads for senior leaders invited as guests: a session's guest list, a guest found by their
personal link, and the figures of the one-page briefing sent with every invitation."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from cop_portal.web import disclosure
from cop_portal.web.time import LONDON
from cop_portal.web.tokens import token_hash
from members.models import Action, ContentPage

from ..models import Attendance, Event, Guest


def event_guests(*, event: Event):
    """Everyone invited to the session, withdrawn invitations last."""
    return event.guests.order_by(F("withdrawn_at").asc(nulls_first=True), "invited_at", "pk")


def guest_for_token(token: str) -> Guest | None:
    """The guest whose personal link this is, withdrawn or not (the page says which); None for
    a token that is not one of ours."""
    hashed = token_hash(token)
    if hashed is None:
        return None
    return Guest.objects.select_related("event", "event__kind").filter(token_hash=hashed).first()


def guest_by_pk(pk) -> Guest | None:
    if not isinstance(pk, int):
        return None
    return Guest.objects.select_related("event", "event__kind").filter(pk=pk).first()


class LinkProblem:
    """Why a personal link no longer opens the guest page: each has its own message."""

    UNKNOWN = "unknown"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    JOINED = "joined"


def guest_link_problem(guest: Guest | None, *, now=None) -> str | None:
    """None when the link works, else which `LinkProblem` stops it."""
    now = now or timezone.now()
    if guest is None or guest.token_hash is None:
        return LinkProblem.UNKNOWN
    if guest.withdrawn_at is not None or guest.event.status == Event.Status.CANCELLED:
        return LinkProblem.WITHDRAWN
    if guest.member_id is not None:
        return LinkProblem.JOINED
    if now >= guest.link_expires_at:
        return LinkProblem.EXPIRED
    return None


def member_with_email_exists(email: str) -> bool:
    """Whether an account (claimed or imported) already has this address: a guest who asks to
    join is then sent to sign in, never given a second account."""
    return get_user_model().objects.filter(email__iexact=email.strip()).exists()


# The briefing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: int | None  # None: hidden, a small number (disclosure.count_shown)


@dataclass(frozen=True)
class Briefing:
    title: str
    purpose: list[str]
    first_month: datetime.date
    last_month: datetime.date
    figures: list[Figure]
    threshold: int

    @property
    def period_label(self) -> str:
        return f"{self.first_month:%B %Y} to {self.last_month:%B %Y}"


BRIEFING_PURPOSE_CHARACTERS = 1400


def _purpose(page: ContentPage | None) -> list[str]:
    """The CoP's purpose in the portal's own words: the opening paragraphs of the introduction
    (headings, lists and markup left out), as many whole ones as fit on the page."""
    if page is None:
        return [
            "A Community of Practice of people working in health and care who want to tackle "
            "racism as a cause of unfair differences in health."
        ]
    paragraphs = []
    for block in re.split(r"\n\s*\n", page.body):
        text = " ".join(block.split())
        if not text or text.startswith(("#", "-", "*", ">", "|")) or re.match(r"\d+\.", text):
            continue
        text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links: their words only
        text = re.sub(r"[*_`]", "", text)
        if paragraphs and sum(map(len, paragraphs)) + len(text) > BRIEFING_PURPOSE_CHARACTERS:
            break
        paragraphs.append(text[:BRIEFING_PURPOSE_CHARACTERS])
    return paragraphs


def _last_twelve_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The twelve whole calendar months before this one: whole months, as every protected
    figure is (disclosure rule 1), so two briefings a few days apart cannot single anyone out."""
    first_of_this = today.replace(day=1)
    last_month_end = first_of_this - datetime.timedelta(days=1)
    start = first_of_this.replace(year=first_of_this.year - 1)
    return start, last_month_end


def briefing_figures(*, today: datetime.date | None = None) -> Briefing:
    """What the briefing says: the CoP's purpose and its last twelve months in counts, each
    through the dashboard's disclosure rule for small numbers (it goes to people outside the
    CoP). Counted as the dashboard counts them for a protected viewer: attendance at caucus
    sessions is left out of the attendance figure."""
    today = today or timezone.localdate()
    start, end = _last_twelve_months(today)
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=LONDON)
    end_at = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LONDON
    )
    members = get_user_model().objects.filter(is_active=True, date_joined__lt=end_at)
    organisations = (
        members.filter(organisation__isnull=False).values("organisation").distinct().count()
    )
    held = Event.objects.filter(
        status=Event.Status.PUBLISHED, starts_at__gte=start_at, starts_at__lt=end_at
    )
    attendances = Attendance.objects.filter(
        Q(member__is_active=True) | Q(member__erased_at__isnull=False),
        event__in=held.filter(caucus__isnull=True),
    ).count()
    actions = Action.objects.filter(created_at__gte=start_at, created_at__lt=end_at)
    threshold = settings.SURVEY_SUPPRESSION_THRESHOLD
    counts = [
        ("Members", members.count()),
        ("Organisations they work for", organisations),
        ("Sessions held", held.count()),
        ("Places taken at sessions", attendances),
        ("Actions members recorded", actions.count()),
        ("Actions completed", actions.filter(status=Action.Status.DONE).count()),
    ]
    page = ContentPage.objects.filter(slug=ContentPage.INTRODUCTION).first()
    return Briefing(
        title=page.title if page else "About the Community of Practice",
        purpose=_purpose(page),
        first_month=start,
        last_month=end,
        figures=[Figure(label, disclosure.count_shown(n, threshold)) for label, n in counts],
        threshold=threshold,
    )
