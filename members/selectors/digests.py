"""Reads for the digest and the once-only nudge (members.services.digests): the sessions coming
up, which of them match a member, and what is new for them since their last digest. The digest
reads sessions (events) and the resource hub (resources), so it sits with the areas above the
other apps.

Sessions carry no topics of their own, so a session matches a member when it is the session of
their own caucus, when a resource published for it is tagged with one of their interests, or
when its title or description names one of their interests or their sector. A caucus session of
a caucus the member is not in is never read into what they are sent: not its title, not that it
exists."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from events.models import Event, Registration
from events.selectors import member_caucus_id
from resources.models import Resource
from resources.selectors import case_studies_published, resources_visible_to
from resources.selectors import conversation as conversation_selectors

from ..models import Sector, User

UPCOMING_WEEKS = 6
NUDGE_SESSIONS = 3
# What a session's title or description says when it is for a sector, beside the sector's name.
SECTOR_WORDS = {
    Sector.NHS: ["NHS"],
    Sector.LOCAL_AUTHORITY: ["local authority", "local authorities", "council", "councils"],
    Sector.VOLUNTARY: ["voluntary", "community sector", "charity", "charities", "VCSE"],
    Sector.ACADEMIC: ["academic", "academia", "research", "university", "universities"],
}


def sessions_coming_up(*, now: datetime, weeks: int | None = UPCOMING_WEEKS) -> list[Event]:
    """Published sessions starting after `now` (within `weeks`, unless None), soonest first,
    each with `topic_ids`: the topics of the published resources tied to it. Caucus sessions
    are among them: `member_sessions` keeps only those a member may know of."""
    events = Event.objects.filter(status=Event.Status.PUBLISHED, starts_at__gt=now)
    if weeks is not None:
        events = events.filter(starts_at__lte=now + timedelta(weeks=weeks))
    events = list(events.select_related("kind").order_by("starts_at", "pk"))
    tagged = Resource.topics.through.objects.filter(
        resource__event__in=events, resource__status=Resource.Status.PUBLISHED
    ).values_list("resource__event_id", "topic_id")
    topics: dict[int, set[int]] = {}
    for event_id, topic_id in tagged:
        topics.setdefault(event_id, set()).add(topic_id)
    for event in events:
        event.topic_ids = topics.get(event.pk, set())
    return events


def _mentions(text: str, phrases) -> bool:
    return any(
        re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, flags=re.IGNORECASE)
        for phrase in phrases
        if phrase
    )


@dataclass(frozen=True)
class MemberSessions:
    """Sessions coming up for one member, none that they hold a place on: those that match
    them, then the others."""

    matched: list[Event]
    others: list[Event]


def member_sessions(*, member: User, upcoming: list[Event]) -> MemberSessions:
    """Split `upcoming` (from `sessions_coming_up`) for `member`: caucus sessions of other
    caucuses left out entirely, and those they hold a place on (or a waiting-list place) too."""
    caucus_id = member_caucus_id(member)
    allowed = [e for e in upcoming if e.caucus_id is None or e.caucus_id == caucus_id]
    booked = set(
        Registration.objects.filter(member=member, event__in=allowed)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("event_id", flat=True)
    )
    interests = list(member.interests.all())
    interest_ids = {topic.pk for topic in interests}
    words = [topic.name for topic in interests]
    if member.sector:
        words += [member.get_sector_display(), *SECTOR_WORDS.get(member.sector, [])]
    words = [w for w in words if w and w != Sector.OTHER.label]
    matched, others = [], []
    for event in allowed:
        if event.pk in booked:
            continue
        text = f"{event.title}\n{event.summary}"
        if event.caucus_id is not None or event.topic_ids & interest_ids or _mentions(text, words):
            matched.append(event)
        else:
            others.append(event)
    return MemberSessions(matched, others)


@dataclass(frozen=True)
class Digest:
    """What one member's digest says. Empty (false) when there is no news for them."""

    matched: list[Event] = field(default_factory=list)
    others: list[Event] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    case_studies: list = field(default_factory=list)
    missed: list[Event] = field(default_factory=list)
    # Conversations the member follows with posts by others since, and unread messages: counted,
    # never quoted, so an email forwarded or read over a shoulder carries nobody's words.
    conversations: list = field(default_factory=list)
    messages_unread: int = 0

    def __bool__(self):
        return any(
            [
                self.matched,
                self.others,
                self.resources,
                self.case_studies,
                self.missed,
                self.conversations,
                self.messages_unread,
            ]
        )


def member_digest(*, member: User, since: datetime, now: datetime, upcoming: list[Event]) -> Digest:
    """The member's digest: sessions coming up (from `upcoming`), matched first; resources and
    case studies new since `since` that they may see; and the summaries published since then of
    sessions they could have come to (held since they joined, open to them) and did not."""
    sessions = member_sessions(member=member, upcoming=upcoming)
    since_day, today = timezone.localdate(since), timezone.localdate(now)
    # New to the hub since the last digest: added since, or dated since (an organiser may
    # date a resource on the day it is announced).
    resources = list(
        resources_visible_to(member)
        .filter(
            Q(created_at__gte=since, created_at__lt=now)
            | Q(published_on__gt=since_day, published_on__lte=today)
        )
        .defer("transcript", "search_vector")
        .order_by("-published_on", "-pk")
    )
    case_studies = list(
        case_studies_published()
        .filter(published_at__gte=since, published_at__lt=now)
        .exclude(author=member)
    )
    caucus_id = member_caucus_id(member)
    missed = list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            summary_published_at__gte=since,
            summary_published_at__lt=now,
            starts_at__gte=member.date_joined,
        )
        .filter(Q(caucus__isnull=True) | Q(caucus_id=caucus_id))
        .exclude(attendances__member=member)
        .order_by("starts_at", "pk")
    )
    return Digest(
        sessions.matched,
        sessions.others,
        resources,
        case_studies,
        missed,
        conversation_selectors.followed_news(member=member, since=since),
        conversation_selectors.unread_messages_count(member=member, since=since),
    )


def once_only_candidates(*, ended_before: datetime):
    """Members whose one attendance ever is at a session that ended before `ended_before`,
    with `came_to` (that session's start). Whether they booked again is `booked_since`'s to
    say."""
    return (
        User.objects.annotate(
            attended=Count("attendances", distinct=True),
            came_to=Max("attendances__event__starts_at"),
            ended=Max("attendances__event__ends_at"),
        )
        .filter(attended=1, ended__lt=ended_before)
        .order_by("pk")
    )


def booked_since(*, member: User, start: datetime) -> bool:
    """Whether the member holds (or held, and did not cancel) a place at a session after
    `start`."""
    return (
        Registration.objects.filter(member=member, event__starts_at__gt=start)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    )


def session_attended(*, member: User) -> Event | None:
    """The session the member came to (for the nudge, which has one), unless it was a session
    of a caucus they have left since: an email does not name that caucus's sessions to them,
    as the email after a session does not."""
    return (
        Event.objects.filter(attendances__member=member)
        .filter(Q(caucus__isnull=True) | Q(caucus_id=member_caucus_id(member)))
        .order_by("starts_at")
        .first()
    )
