"""Reads for the resource hub: browsing, searching, reading and catching up. Who may see what
is decided here, in `resources_visible_to`, for every area of the app."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from events.models import Event, Registration
from events.selectors import member_caucus_id

from ..caching import browse_sessions_cached
from ..models import Resource, Topic

SEARCH_CONFIG = "english"
QUERY_MAX_LENGTH = 200
# Private-use characters mark the highlighted words: the snippet is escaped as text first and
# only these become <mark>, so nothing in a resource's text can inject markup.
MARK_START, MARK_END = "\ue000", "\ue001"
# Years of sessions make a list nobody can use: the browse filter offers the most recent.
BROWSE_SESSIONS = 60


def resources_visible_to(user):
    """Published resources this person may see: public ones for everyone, members-only ones
    for signed-in members, and a caucus session's materials only for that caucus."""
    resources = Resource.objects.filter(status=Resource.Status.PUBLISHED)
    if not user.is_authenticated:
        return resources.filter(audience="public").filter(
            Q(event__isnull=True) | Q(event__caucus__isnull=True)
        )
    caucus_id = member_caucus_id(user)
    allowed = Q(event__isnull=True) | Q(event__caucus__isnull=True)
    if caucus_id is not None:
        allowed |= Q(event__caucus_id=caucus_id)
    return resources.filter(allowed)


def audience_of(user) -> str:
    """Who `user` is to `resources_visible_to`: everyone who gets the same answer from it has
    the same audience, and anyone who may get another has another. Kept renderings of lists
    of resources are kept per audience."""
    if not user.is_authenticated:
        return "public"
    caucus_id = member_caucus_id(user)
    return f"members:{caucus_id if caucus_id is not None else 'no-caucus'}"


def seen_by(resource: Resource) -> str:
    """The audience (as `audience_of` names them) that may see this published resource:
    "public" for everyone, "members" for every signed-in member, or one caucus's members."""
    caucus_id = resource.event.caucus_id if resource.event_id is not None else None
    if caucus_id is not None:
        return f"members:{caucus_id}"
    return "public" if resource.audience == "public" else "members"


def may_see(seen: str, user) -> bool:
    """Whether `user` is in the audience `seen` (from `seen_by`): the same answer as
    `resources_visible_to` gives for that resource, asked without the database unless the
    resource is a caucus's."""
    if seen == "public":
        return True
    if not user.is_authenticated:
        return False
    return seen == "members" or audience_of(user) == seen


def session_resources(*, event, signed_in: bool, can_see_materials: bool) -> list:
    """The resources from `event` its page lists for an audience of the page (events.caching:
    signed in or not, and whether they may see a caucus session's materials): those of
    `resources_visible_to` anyone in that audience. A caucus session's materials are its
    caucus's alone; a visitor sees only what is public."""
    if event.caucus_id is not None and not (signed_in and can_see_materials):
        return []
    resources = Resource.objects.filter(status=Resource.Status.PUBLISHED, event=event)
    if not signed_in:
        resources = resources.filter(audience="public")
    return list(_listed_briefly(resources).order_by("kind", "title"))


def _listed(resources):
    return resources.select_related("event").prefetch_related("topics")


def _listed_briefly(resources):
    """For lists: a transcript can run to thousands of words and no list shows it."""
    return _listed(resources).defer("transcript", "search_vector")


SORTS = {
    "newest": ["-published_on", "-pk"],
    "oldest": ["published_on", "pk"],
    "title": ["title", "pk"],
}


def resource_browse(*, user, kind="", topic=None, event=None, date_from=None, date_to=None,
                    sort="newest"):  # fmt: skip
    resources = resources_visible_to(user)
    if kind:
        resources = resources.filter(kind=kind)
    if topic is not None:
        resources = resources.filter(topics=topic)
    if event is not None:
        resources = resources.filter(event=event)
    if date_from:
        resources = resources.filter(published_on__gte=date_from)
    if date_to:
        resources = resources.filter(published_on__lte=date_to)
    return _listed_briefly(resources).order_by(*SORTS.get(sort, SORTS["newest"]))


def sessions_with_resources():
    """Published sessions with published resources, newest first, with only what a list of
    them shows. EXISTS rather than a DISTINCT join."""
    return (
        Event.objects.filter(
            Exists(Resource.objects.filter(event=OuterRef("pk"), status=Resource.Status.PUBLISHED)),
            status=Event.Status.PUBLISHED,
        )
        .only("pk", "title", "starts_at")
        .order_by("-starts_at")
    )


def browse_sessions() -> list[tuple[int, str]]:
    """(pk, title) of the most recent sessions with resources, for the browse filter."""
    return browse_sessions_cached(
        lambda: [(event.pk, str(event)) for event in sessions_with_resources()[:BROWSE_SESSIONS]]
    )


def _highlight(snippet: str) -> str:
    return mark_safe(  # noqa: S308 - escaped first; only our own markers become <mark>
        escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def resources_exist(*, slug_prefix: str) -> bool:
    return Resource.objects.filter(slug__startswith=slug_prefix).exists()


def topics():
    return Topic.objects.all()


def resource_get(*, user, slug: str) -> Resource | None:
    return (
        _listed(resources_visible_to(user)).select_related("event__kind").filter(slug=slug).first()
    )


def resource_is_for_members(*, slug: str) -> bool:
    """True for a published members-only resource that any signed-in member may see: an
    anonymous visitor is asked to sign in rather than told it does not exist."""
    return (
        Resource.objects.filter(slug=slug, status=Resource.Status.PUBLISHED, audience="members")
        .filter(Q(event__isnull=True) | Q(event__caucus__isnull=True))
        .exists()
    )


@dataclass
class MissedEvent:
    event: Event
    resources: list


START_HERE_SHOWN = 10
MISSED_SHOWN = 30


@dataclass(frozen=True)
class CatchUp:
    start_here: list  # MissedEvent: the sessions organisers marked as essential, oldest first
    missed: list  # MissedEvent: the other sessions they were not at, newest first


def catch_up(*, member, now=None) -> CatchUp:
    """What a member can catch up on, with the summaries and the resources they may see:
    first the sessions organisers marked "start here", whenever the member joined (so a member
    who joined today has them too), then the other past sessions they did not come to, from
    shortly before they joined."""
    now = now or timezone.now()
    visible = resources_visible_to(member)
    caucus_id = member_caucus_id(member)
    past = (
        Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__lte=now)
        .filter(Q(caucus__isnull=True) | Q(caucus_id=caucus_id))
        .exclude(attendances__member=member)
        .annotate(
            booked=Exists(
                Registration.objects.filter(
                    event=OuterRef("pk"), member=member, status=Registration.Status.CONFIRMED
                )
            )
        )
        .select_related("kind")
        .prefetch_related(
            Prefetch("resources", queryset=visible.order_by("kind", "title"), to_attr="visible")
        )
    )
    start_here = past.filter(start_here=True).order_by("starts_at")[:START_HERE_SHOWN]
    missed = past.filter(
        start_here=False, ends_at__gte=member.date_joined - timezone.timedelta(days=180)
    ).order_by("-starts_at")[:MISSED_SHOWN]
    return CatchUp(
        start_here=[MissedEvent(event, event.visible) for event in start_here],
        missed=[MissedEvent(event, event.visible) for event in missed],
    )
