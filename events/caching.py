"""What the programme keeps in the cache: its lists of sessions, rendered, for each audience.

Rendering the programme's forty-odd sessions (dates, links, badges) costs more than the rest of
the page together, and the lists change only when an organiser or a booking changes them. Each
rendering is kept under two generations that the services writing sessions and places move on
(`sessions_changed`, `places_changed`), and under the audience it was made for: the caucuses
whose sessions' numbers and summaries that person may see. A caucus member's rendering is
therefore never served to someone outside the caucus, and joining or leaving a caucus changes
the audience, and so the rendering, on the very next page.

What is one member's own (their place or place on the waiting list) is never in the kept
rendering: it carries a marker per session, replaced for each member as the page is served.
Time moves sessions from "coming up" to "past", so a rendering is kept only until the first of
its sessions ends (and never past midnight, when programmes end). The member's own places at
the sessions listed are kept for that member alone, under the same two generations.

Which caucus a member chose decides what every list shows them, so it is kept too, for that
member, under a generation of their own that the caucus services move on (`caucus_changed`;
a change saved any other way reaches it through events.apps).

A session's page keeps its parts for each audience (the resources from it among them, so the
resources app moves `materials_changed` on whenever a resource changes), and each member's own
place at it (their booking, its forms, whether they came) for that member alone, under the
sessions', places' and attendance's generations (`attendance_changed`, moved by the services
that record or import attendance, and through events.apps by any other change) and their
caucus's."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import mark_safe

from cop_portal.web.generations import (
    generation_bump_at_commit,
    generation_move_on,
    generation_start,
    generations,
    kept_read,
    kept_write,
)

# Other apps keep answers that show sessions (their titles, their caucus) under this one too.
SESSIONS_GENERATION_KEY = "events:sessions-generation"
PLACES_GENERATION_KEY = "events:places-generation"
ATTENDANCE_GENERATION_KEY = "events:attendance-generation"
# What a session's page lists from other apps (its resources): moved on by the resources app.
MATERIALS_GENERATION_KEY = "events:materials-generation"
# A session's parts for an audience are kept under these: the session, how full it is, and
# the materials it lists.
PARTS_GENERATION_KEYS = (SESSIONS_GENERATION_KEY, PLACES_GENERATION_KEY, MATERIALS_GENERATION_KEY)
LISTING_TIMEOUT = 60 * 60
STATUS_MARKER = "<!--my-status:{pk}-->"
_STATUS_MARKERS = re.compile(r"<!--my-status:(\d+)-->")
_STATUS_BADGES = {
    "confirmed": '<span class="badge text-bg-success">You are registered</span>',
    "waitlisted": '<span class="badge text-bg-warning">You are on the waiting list</span>',
}


def sessions_changed() -> None:
    """A session, programme, kind of session or caucus was added, changed or removed."""
    generation_bump_at_commit(SESSIONS_GENERATION_KEY)


def places_changed() -> None:
    """Someone took, gave up or was given a place: how full a session is may have changed."""
    generation_bump_at_commit(PLACES_GENERATION_KEY)


def attendance_changed() -> None:
    """Someone was recorded as having come to a session, or no longer is."""
    generation_bump_at_commit(ATTENDANCE_GENERATION_KEY)


def materials_changed() -> None:
    """A session's materials (its resources, which its page lists) may have changed."""
    generation_bump_at_commit(MATERIALS_GENERATION_KEY)


@dataclass(frozen=True)
class ProgrammeListing:
    """The programme's lists as rendered for one audience."""

    programmes_html: str
    sessions_html: str
    upcoming_ids: tuple[int, ...]
    valid_until: datetime

    def sessions_for(self, statuses: dict[int, str]) -> str:
        """The lists, with each session's marker replaced by this member's badge, if any."""
        return mark_safe(  # noqa: S308 - our own rendering, and our own fixed badges
            _STATUS_MARKERS.sub(
                lambda found: _STATUS_BADGES.get(statuses.get(int(found[1])), ""),
                self.sessions_html,
            )
        )


def programme_listing_cached(
    *, audience, now, build, member_pk=None, statuses=None
) -> tuple[ProgrammeListing, dict[int, str]]:
    """The programme's lists for `audience` (the caucus ids whose sessions' numbers and
    summaries may be shown), kept from `build()` while the sessions, their places and the time
    leave them true; and, for a member (`member_pk`), their places at the sessions listed, kept
    from `statuses(upcoming_ids)` for them alone. One cache round trip when both are kept."""
    seen = ",".join(str(pk) for pk in sorted(audience))
    listing_key = f"events:programme:{seen}"
    places_key = f"events:programme-places:{member_pk}"
    keys = [listing_key] if member_pk is None else [listing_key, places_key]
    kept, stamp = kept_read(keys, (SESSIONS_GENERATION_KEY, PLACES_GENERATION_KEY))
    listing = kept.get(listing_key)
    if listing is None or listing.valid_until <= now:
        listing = build()
        kept_write(listing_key, stamp, listing, LISTING_TIMEOUT)
    if member_pk is None:
        return listing, {}
    mine = kept.get(places_key)
    if mine is None or mine[0] != listing.upcoming_ids:
        mine = (listing.upcoming_ids, statuses(listing.upcoming_ids))
        kept_write(places_key, stamp, mine, LISTING_TIMEOUT)
    return listing, mine[1]


def caucus_ids_cached(fetch) -> list[int]:
    """Every caucus's id, from `fetch()`, kept until a caucus is added or changed."""
    key = "events:caucus-ids"
    kept, stamp = kept_read([key], (SESSIONS_GENERATION_KEY,))
    if key not in kept:
        kept[key] = fetch()
        kept_write(key, stamp, kept[key], LISTING_TIMEOUT)
    return kept[key]


# Each member's caucus ---------------------------------------------------------------------------

CAUCUS_TIMEOUT = 24 * 60 * 60


def caucus_generation_key(member_pk: int) -> str:
    """Moved on when the member joins, leaves or changes caucus (caucus_changed): pages kept
    for them that show anything of a caucus are kept under it."""
    return f"events:caucus-generation:{member_pk}"


def _caucus_key(member_pk: int) -> str:
    return f"events:caucus-of:{member_pk}"


def _caucus_move_on(member_pk: int) -> None:
    generation_move_on(caucus_generation_key(member_pk))


def caucus_changed(member_pk: int) -> None:
    """The member joined, left or changed caucus: what is kept of their choice is not used
    again, now and, inside a transaction, once it commits (a request reading in between still
    sees the old row)."""
    _caucus_move_on(member_pk)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_caucus_move_on, member_pk))


def member_caucus_cached(member_pk: int, fetch) -> int | None:
    """The caucus id (or None) `fetch()` gives for the member, kept until their choice changes.
    The member's generation is read before `fetch()`, so a change committed after that read
    moves it past what is kept here."""
    generation_key, key = caucus_generation_key(member_pk), _caucus_key(member_pk)
    found = cache.get_many([generation_key, key])
    stamp, kept = found.get(generation_key), found.get(key)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    stamp = stamp or generation_start(generation_key, CAUCUS_TIMEOUT)
    caucus_id = fetch()
    cache.set(key, (stamp, caucus_id), CAUCUS_TIMEOUT)
    return caucus_id


# A session's page ------------------------------------------------------------------------------

# A session's page renders its description, speakers, goals, places and summary (with its
# takeaways' Markdown) for every viewer alike: so the session itself and that rendering are kept,
# the rendering once for each audience that sees a different one, with what the page needs of
# the session around it (its title, address, caucus), so that a page whose parts are kept does
# not read the session at all. What is one member's own (their place, the waiting list, the
# booking form, whether they came) is kept for that member alone, below; the CSRF token never.
SESSION_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class SessionParts:
    """The parts of a session's page that are the same for everyone in one audience."""

    event_id: int
    slug: str
    caucus_id: int | None
    starts_at: datetime
    title: str
    meta_description: str  # plain text, escaped as it is served
    head_html: str  # the way back to the programme, the heading, and whether it is cancelled
    about_html: str  # when, where, places, description, goals, speakers
    summary_html: str  # what happened, once published, with its recording and slides
    # When the parts stop being true by the clock alone (the session ends: its places line
    # changes), or None.
    valid_until: datetime | None


def session_audience(*, signed_in: bool, can_see_inside: bool, can_see_materials: bool) -> str:
    """Who a viewer is to a session's kept parts: everyone with the same audience gets the
    same rendering, and anyone who may see more or less gets another. For a caucus session
    "inside" is a member of its caucus or an organiser trusted with caucus choices (its places
    and summary), and only its caucus's members have its materials (recording and slides)."""
    if not signed_in:
        return "visitor"
    inside = "inside" if can_see_inside else "outside"
    materials = "materials" if can_see_materials else "no-materials"
    return f"member:{inside}:{materials}"


@dataclass(frozen=True)
class SessionPage:
    parts: SessionParts
    place: "MemberPlace | None" = None  # for a member: what they alone see of it


def _session_key(slug: str) -> str:
    return f"events:session:{slug}"


def _session_parts_key(slug: str, audience: str) -> str:
    return f"events:session-page:{slug}:{audience}"


def _kept_under(found: dict, key: str, stamp: tuple):
    value = found.get(key)
    return value[1] if value is not None and value[0] == stamp else None


def _parts_still_true(parts: SessionParts | None, now) -> bool:
    return parts is not None and (parts.valid_until is None or now < parts.valid_until)


class _Session:
    """The session with one address, read once and only if something must be drawn from it:
    kept under the sessions' and places' generations `stamp` (read before), else `fetch()`ed."""

    def __init__(self, slug: str, stamp: tuple, fetch):
        self.key, self.stamp, self.fetch = _session_key(slug), stamp, fetch
        self.read = False

    def get(self):
        if not self.read:
            self.read = True
            self.event = _kept_under({self.key: cache.get(self.key)}, self.key, self.stamp)
            if self.event is None:
                self.event = self.fetch()
                if self.event is not None:
                    cache.set(self.key, (self.stamp, self.event), SESSION_TIMEOUT)
        return self.event


def session_page_cached(*, slug: str, audience: str, now, fetch, build) -> SessionPage | None:
    """The page's parts for `audience` (from `session_audience`) of the session with this
    address, or None if there is no session to show.

    `fetch()` reads the session as everyone sees it, `build(event)` renders the parts; both
    are kept while the sessions and their places are unchanged (the parts also while the clock
    leaves them true). The generations and the parts are read in one round trip, and the
    session only when the parts must be drawn again."""
    parts_key = _session_parts_key(slug, audience)
    kept, stamp = kept_read([parts_key], PARTS_GENERATION_KEYS)
    parts = kept.get(parts_key)
    if not _parts_still_true(parts, now):
        event = _Session(slug, stamp, fetch).get()
        if event is None:
            return None
        parts = build(event)
        kept_write(parts_key, stamp, parts, SESSION_TIMEOUT)
    return SessionPage(parts)


# What one member alone sees of a session ----------------------------------------------------------

# Their place (registered, on the waiting list and where, or that they came), the forms to take
# or give it up and the links that follow from it, and whether they are in its caucus. It is kept
# for the member alone (their id is in its key), under every generation that moves when any of
# it may change: the sessions' (the session itself), the places' (theirs, and the waiting list
# ahead of them), the attendance's (whether they came) and their own caucus's (whether it is
# their caucus's session); and for whether they are trusted with caucus choices (their role),
# which is read for each request and must match. Its forms are drawn with a placeholder for the
# CSRF token, put in for each request.


@dataclass(frozen=True)
class MemberPlace:
    """What one member sees of one session that no one else does."""

    member_pk: int
    event_id: int
    member_caucus_id: int | None  # the member's caucus, as read with their place
    in_caucus: bool  # the session is open to all, or to the member's caucus
    trusted: bool  # drawn for a member trusted with caucus choices
    links_html: str  # what to do after it, and its conversation
    place_html: str  # their place and its form, with the CSRF token's placeholder
    # When the clock alone changes it (registration opens or closes, the session starts or
    # ends), or None.
    valid_until: datetime | None

    @property
    def can_see_inside(self) -> bool:
        """Its numbers and summary: for its caucus, and for those trusted with caucus choices."""
        return self.in_caucus or self.trusted

    @property
    def audience(self) -> str:
        return _member_audience(in_caucus=self.in_caucus, trusted=self.trusted)

    def still_true(self, *, member_pk: int, trusted: bool, now) -> bool:
        """Still what this member, as trusted as they are now, is to see of it now."""
        return (
            self.member_pk == member_pk
            and self.trusted == trusted
            and (self.valid_until is None or now < self.valid_until)
        )


def _member_audience(*, in_caucus: bool, trusted: bool) -> str:
    """A member's audience for a session's parts: only its caucus has its materials."""
    return session_audience(
        signed_in=True, can_see_inside=in_caucus or trusted, can_see_materials=in_caucus
    )


def _place_key(slug: str, member_pk: int) -> str:
    return f"events:session-place:{slug}:{member_pk}"


def member_session_page_cached(
    *, slug: str, member_pk: int, trusted: bool, now, fetch, place_build, build
) -> SessionPage | None:
    """The session with this address as the member `member_pk` sees it, or None if there is
    no session to show them: its parts as for everyone in their audience
    (`session_page_cached`), and their own place.

    `trusted`: whether the member is trusted with caucus choices, read for this request.
    `fetch()` reads the session as everyone sees it; `place_build(event)` reads the member's
    place at it and draws it (a MemberPlace, or None if there is no such session for them);
    `build(event, place)` draws the parts for the audience the place puts the member in. Each
    is called only for what is not kept under the generations read here first: the
    generations, the member's place and the parts of either audience they may be in are read
    in one round trip, and the session only if something must be drawn from it."""
    place_key = _place_key(slug, member_pk)
    caucus_key = caucus_generation_key(member_pk)
    # The parts for either audience the member may be in, whichever their place says: in the
    # session's caucus (always, for a session open to all), or not.
    inside_key, other_key = (
        _session_parts_key(slug, _member_audience(in_caucus=in_caucus, trusted=trusted))
        for in_caucus in (True, False)
    )
    shared_keys = (*PARTS_GENERATION_KEYS, ATTENDANCE_GENERATION_KEY)
    found = cache.get_many([*shared_keys, caucus_key, place_key, inside_key, other_key])
    shared = tuple(found.get(key) for key in shared_keys)
    if None in shared:
        shared = generations(*shared_keys)
    # The member's own generation exists only while they use the portal (caucus_changed).
    caucus_stamp = found.get(caucus_key) or generation_start(caucus_key, CAUCUS_TIMEOUT)
    sessions, places, materials, attendance = shared
    page_stamp = (sessions, places, materials)
    place_stamp = (sessions, places, attendance, caucus_stamp)
    session = _Session(slug, page_stamp, fetch)

    place = _kept_under(found, place_key, place_stamp)
    if place is None or not place.still_true(member_pk=member_pk, trusted=trusted, now=now):
        place = _place_built(session, place_build, place_key, place_stamp)
        if place is None:
            return None
    parts_key = _session_parts_key(slug, place.audience)
    parts = _kept_under(found, parts_key, page_stamp)
    if not _parts_still_true(parts, now) or parts.event_id != place.event_id:
        event = session.get()
        if event is None:
            return None
        if event.pk != place.event_id:  # the address has since been given to another session
            place = _place_built(session, place_build, place_key, place_stamp)
            if place is None:
                return None
            parts_key = _session_parts_key(slug, place.audience)
        parts = build(event, place)
        cache.set(parts_key, (page_stamp, parts), SESSION_TIMEOUT)
    return SessionPage(parts, place)


def _place_built(session: _Session, place_build, key: str, stamp: tuple) -> MemberPlace | None:
    event = session.get()
    place = None if event is None else place_build(event)
    if place is not None:
        cache.set(key, (stamp, place), SESSION_TIMEOUT)
    return place
