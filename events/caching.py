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
its sessions ends (and never past midnight, when programmes end)."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils.safestring import mark_safe

from cop_portal.web.generations import generation_bump_at_commit, generations

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


def programme_listing_cached(*, audience, now, build) -> ProgrammeListing:
    """The programme's lists for `audience` (the caucus ids whose sessions' numbers and
    summaries may be shown), kept from `build()` while the sessions, their places and the time
    leave them true."""
    sessions, places = generations(SESSIONS_GENERATION_KEY, PLACES_GENERATION_KEY)
    seen = ",".join(str(pk) for pk in sorted(audience))
    key = f"events:programme:{sessions}:{places}:{seen}"
    listing = cache.get(key)
    if listing is None or listing.valid_until <= now:
        listing = build()
        cache.set(key, listing, LISTING_TIMEOUT)
    return listing
