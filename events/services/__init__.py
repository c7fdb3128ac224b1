"""Writes for the events app, by the area they serve: `public` (members' side: registration,
reminders, caucuses, calendar feeds, suggestions) and `organise` (the organisers' side).

Inside events, import from the area's module. The names below are those used from outside
the app (members' demo, imports, data rights and starter content; the benchmark's seeder), which
may import them from here."""

from ..caching import attendance_changed, materials_changed
from .organise import (
    attendance_record,
    caucus_attendance_check,
    event_save,
    programme_save,
    speaker_create,
    starter_content_load,
)
from .public import (
    CAUCUS_CONSENT_TEXT,
    CAUCUS_CONSENT_VERSION,
    calendar_feed_get_or_create,
    caucus_allows,
    registration_cancel,
    registration_record,
)

__all__ = [
    "CAUCUS_CONSENT_TEXT",
    "CAUCUS_CONSENT_VERSION",
    "attendance_changed",
    "attendance_record",
    "calendar_feed_get_or_create",
    "caucus_allows",
    "caucus_attendance_check",
    "event_save",
    "materials_changed",
    "programme_save",
    "registration_cancel",
    "registration_record",
    "speaker_create",
    "starter_content_load",
]
