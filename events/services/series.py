"""Sessions made from another: a copy on a new date, a repeating series (say the first Tuesday
of each month for six months), and a change made to a session and the later ones of its series.

Every copy is a draft with the original's details, goals and speakers, and none of what
belongs to the original as it happened: bookings, attendance, summary, survey or messages."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cop_portal.web.slugs import unique_slug

from ..caching import sessions_changed
from ..models import Event, Speaker
from .organise import event_save

# What a copy takes from its original, besides its goals and speakers.
COPIED = ("title", "summary", "format", "kind_id", "caucus_id", "venue", "joining_link", "capacity")
# What a change to one session of a series can carry to the later ones (their times move to
# the same time of day and length, on their own dates).
CARRIED = ("title", "summary", "format", "kind", "venue", "joining_link", "capacity")
SERIES_MAX = 24
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


@dataclass(frozen=True)
class Pattern:
    key: str
    label: str


def _weekday_name(moment: datetime) -> str:
    return f"{moment:%A}"


def series_patterns(*, source: Event) -> list[Pattern]:
    """The ways `source` can repeat, in words taken from its own date."""
    local = timezone.localtime(source.starts_at)
    day = _weekday_name(local)
    nth = (local.day - 1) // 7 + 1
    patterns = [
        Pattern("weekly", f"Every week, on {day}s"),
        Pattern("fortnightly", f"Every two weeks, on {day}s"),
    ]
    if nth <= 4:
        patterns.append(Pattern("monthly-nth", f"Every month, on the {ORDINALS[nth]} {day}"))
    if (local + timedelta(days=7)).month != local.month:
        patterns.append(Pattern("monthly-last", f"Every month, on the last {day}"))
    if local.day <= 28:
        patterns.append(Pattern("monthly-day", f"Every month, on day {local.day}"))
    return patterns


def series_dates(*, source: Event, pattern: str, count: int) -> list[datetime]:
    """The start times of `count` sessions after `source` on `pattern`, at its time of day in
    UK time (so a series keeps 14:00 across the clock change)."""
    if pattern not in {p.key for p in series_patterns(source=source)}:
        raise ValidationError("Choose one of the patterns offered for this session.")
    if not 1 <= count <= SERIES_MAX:
        raise ValidationError(f"A series can add between 1 and {SERIES_MAX} sessions.")
    local = timezone.localtime(source.starts_at).replace(tzinfo=None)
    nth = (local.day - 1) // 7 + 1
    rules = {
        "weekly": {"freq": WEEKLY, "interval": 1},
        "fortnightly": {"freq": WEEKLY, "interval": 2},
        "monthly-nth": {"freq": MONTHLY, "byweekday": weekday(local.weekday(), nth)},
        "monthly-last": {"freq": MONTHLY, "byweekday": weekday(local.weekday(), -1)},
        "monthly-day": {"freq": MONTHLY, "bymonthday": local.day},
    }
    starts = rrule(dtstart=local, count=count + 1, **rules[pattern])
    zone = timezone.get_current_timezone()
    return [timezone.make_aware(start, zone) for start in list(starts)[1:]]


@transaction.atomic
def event_copy(*, source: Event, starts_at: datetime, series=None) -> Event:
    """A draft copy of `source` starting at `starts_at`, as long as the original, with its
    registration window the same time before it."""
    if starts_at <= timezone.now():
        raise ValidationError("A copy must start in the future.")
    shift = starts_at - source.starts_at
    copy = Event(
        **{name: getattr(source, name) for name in COPIED},
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        registration_opens_at=source.registration_opens_at and source.registration_opens_at + shift,
        registration_closes_at=(
            source.registration_closes_at and source.registration_closes_at + shift
        ),
        status=Event.Status.DRAFT,
        series=series,
    )
    # The original's programme only if the copy falls within its dates.
    programme = source.programme
    if programme and programme.starts_on <= timezone.localdate(starts_at) <= programme.ends_on:
        copy.programme = programme
    copy.slug = unique_slug(Event, f"{copy.title} {timezone.localdate(starts_at):%Y-%m-%d}")
    copy.full_clean()
    copy.save()
    sessions_changed()
    copy.goals.set(source.goals.all())
    Speaker.objects.bulk_create(
        Speaker(
            event=copy,
            name=s.name,
            organisation=s.organisation,
            role=s.role,
            lived_experience=s.lived_experience,
            order=s.order,
        )
        for s in source.speakers.all()
    )
    return copy


@transaction.atomic
def series_create(*, source: Event, pattern: str, count: int) -> list[Event]:
    """Repeat `source` `count` times on `pattern`, as drafts in one series with it."""
    dates = series_dates(source=source, pattern=pattern, count=count)
    if source.series is None:
        source.series = uuid.uuid4()
        source.save(update_fields=["series"])
        sessions_changed()
    return [event_copy(source=source, starts_at=start, series=source.series) for start in dates]


def series_later(*, event: Event):
    """The sessions of `event`'s series after it that a change may still reach: to come, and
    not cancelled."""
    if event.series is None:
        return Event.objects.none()
    return (
        Event.objects.filter(series=event.series, starts_at__gt=event.starts_at)
        .exclude(status=Event.Status.CANCELLED)
        .filter(starts_at__gt=timezone.now())
        .order_by("starts_at")
    )


@transaction.atomic
def series_change_carry(*, event: Event, goals=None) -> int:
    """Carry `event`'s details (already saved) to the later sessions of its series: the same
    words, place, link, capacity and goals, and its time of day and length on their own dates.
    Each goes through event_save, so those booked on a published one hear of a move. Returns
    how many sessions changed."""
    local = timezone.localtime(event.starts_at)
    length = event.ends_at - event.starts_at
    changed = 0
    for later in series_later(event=event):
        day = timezone.localtime(later.starts_at).date()
        starts = timezone.make_aware(datetime.combine(day, local.time()))
        fields = {name: getattr(event, name) for name in CARRIED}
        event_save(event=later, goals=goals, starts_at=starts, ends_at=starts + length, **fields)
        changed += 1
    return changed
