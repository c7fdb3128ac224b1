"""Reads for the events app, by the area they serve: `public` (members' side) and `organise`
(the organisers' side).

Inside events, import from the area's module. The names below are those used from outside
the app (resources' visibility rules, the members' home and Organise pages and demo content,
and every app that shows caucus figures), which may import them from here."""

from ..caching import PLACES_GENERATION_KEY, SESSIONS_GENERATION_KEY, caucus_generation_key
from ..models import CAUCUS_CHOICE_PERMISSION
from .organise import (
    caucuses,
    event_kinds,
    goals,
    programme_get,
    registers_to_take,
    suggestions_new_count,
    summaries_to_publish,
)
from .public import member_caucus_id, member_upcoming, past_events, visitor_next_sessions

__all__ = [
    "CAUCUS_CHOICE_PERMISSION",
    "PLACES_GENERATION_KEY",
    "SESSIONS_GENERATION_KEY",
    "caucus_generation_key",
    "caucuses",
    "event_kinds",
    "goals",
    "member_caucus_id",
    "member_upcoming",
    "past_events",
    "programme_get",
    "registers_to_take",
    "suggestions_new_count",
    "summaries_to_publish",
    "visitor_next_sessions",
]
