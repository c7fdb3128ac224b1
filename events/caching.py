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
a change saved any other way reaches it through events.apps)."""

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
    generations_with,
    kept_read,
    kept_write,
)

# Other apps keep answers that show sessions (their titles, their caucus) under this one too.
SESSIONS_GENERATION_KEY = "events:sessions-generation"
PLACES_GENERATION_KEY = "events:places-generation"
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
# the rendering once for each audience that sees a different one. What is one member's own
# (their place, the waiting list, the booking form and its CSRF token, whether they came) is
# worked out and rendered for each request around the kept parts, never inside them.
SESSION_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class SessionParts:
    """The parts of a session's page that are the same for everyone in one audience."""

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
    event: object  # the session as everyone sees it
    parts: SessionParts


def session_page_cached(*, slug: str, audience: str, now, fetch, build) -> SessionPage | None:
    """The session with this address and its page's parts for `audience` (from
    `session_audience`), or None if there is no session to show.

    `fetch()` reads the session as everyone sees it, `build(event)` renders the parts; both
    are kept while the sessions and their places are unchanged (the parts also while the clock
    leaves them true). The generations and both are read in one round trip."""
    event_key = f"events:session:{slug}"
    parts_key = f"events:session-parts:{slug}:{audience}"
    stamp, (event, parts) = generations_with(
        (SESSIONS_GENERATION_KEY, PLACES_GENERATION_KEY), [event_key, parts_key]
    )
    if event is None:
        event = fetch()
        if event is None:
            return None
        cache.set(event_key, (stamp, event), SESSION_TIMEOUT)
    if parts is None or (parts.valid_until is not None and parts.valid_until <= now):
        parts = build(event)
        cache.set(parts_key, (stamp, parts), SESSION_TIMEOUT)
    return SessionPage(event, parts)
