"""Sessions made from another: a copy on a new date, a series on a pattern drawn from the
session's own date, and a change made to one session and the later ones of its series."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.services.series import series_create
from tests.factories import (
    EventFactory,
    GoalFactory,
    RegistrationFactory,
    SpeakerFactory,
    uk_time,
)
from tests.mail import mail_sent

pytestmark = pytest.mark.django_db

# The first Tuesday of next February, 14:00 UK time: a winter date, so the series crosses the
# change to summer time.
FEB = datetime.date(timezone.localdate().year + 1, 2, 1)
FIRST_TUESDAY = FEB + datetime.timedelta(days=(1 - FEB.weekday()) % 7)


def _source(**fields):
    starts = uk_time(FIRST_TUESDAY, 14)
    event = EventFactory(
        title="Anti-racist supervision",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
        capacity=30,
        **fields,
    )
    event.goals.set([GoalFactory()])
    SpeakerFactory(event=event, name="Dr Ama Owusu")
    return event


def test_a_copy_is_a_draft_on_the_new_date_with_the_details_and_nothing_that_happened(
    organiser_client,
):
    source = _source()
    RegistrationFactory(event=source)
    new_start = uk_time(FIRST_TUESDAY + datetime.timedelta(days=70), 10)

    response = organiser_client.post(
        reverse("events:event_copy", args=[source.pk]),
        {"starts_at": f"{new_start:%Y-%m-%d %H:%M}"},
    )

    copy = Event.objects.exclude(pk=source.pk).get()
    assert response.url == reverse("events:event_edit", args=[copy.pk])
    assert (copy.title, copy.status, copy.capacity) == (source.title, "draft", 30)
    assert (copy.starts_at, copy.ends_at) == (new_start, new_start + datetime.timedelta(minutes=90))
    assert list(copy.goals.all()) == list(source.goals.all())
    assert [s.name for s in copy.speakers.all()] == ["Dr Ama Owusu"]
    assert copy.registrations.count() == 0
    assert copy.slug != source.slug


def test_a_copy_in_the_past_is_refused_with_a_message(organiser_client):
    source = _source()
    response = organiser_client.post(
        reverse("events:event_copy", args=[source.pk]), {"starts_at": "2020-01-01 10:00"}
    )
    assert response.status_code == 200
    assert "A copy must start in the future." in response.content.decode()
    assert Event.objects.count() == 1


def test_the_patterns_offered_are_drawn_from_the_sessions_own_date(organiser_client):
    source = _source()
    page = organiser_client.get(reverse("events:event_repeat", args=[source.pk])).content.decode()
    assert "Every week, on Tuesdays" in page
    assert "Every two weeks, on Tuesdays" in page
    assert "Every month, on the first Tuesday" in page
    assert f"Every month, on day {FIRST_TUESDAY.day}" in page
    assert "on the last Tuesday" not in page


def test_the_first_tuesday_of_each_month_for_six_months_keeps_two_oclock_across_the_clock_change(
    organiser_client,
):
    source = _source()
    response = organiser_client.post(
        reverse("events:event_repeat", args=[source.pk]), {"pattern": "monthly-nth", "count": 5}
    )
    assert response.status_code == 302
    sessions = list(Event.objects.order_by("starts_at"))
    assert len(sessions) == 6
    for session in sessions:
        local = timezone.localtime(session.starts_at)
        assert (local.weekday(), (local.day - 1) // 7, local.hour, local.minute) == (1, 0, 14, 0)
        assert session.ends_at - session.starts_at == datetime.timedelta(minutes=90)
    assert [timezone.localtime(s.starts_at).month for s in sessions] == [2, 3, 4, 5, 6, 7]
    assert {s.series for s in sessions} == {sessions[0].series}
    assert sessions[0].series is not None
    assert [s.status for s in sessions[1:]] == ["draft"] * 5


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"pattern": "monthly-last", "count": 3}, "Select a valid choice."),
        ({"pattern": "weekly", "count": 25}, "less than or equal to 24"),
        ({"pattern": "weekly", "count": 0}, "greater than or equal to 1"),
        ({"pattern": "weekly", "count": "six"}, "Enter a whole number."),
    ],
)
def test_a_series_that_cannot_be_made_says_why(organiser_client, fields, error):
    source = _source()
    response = organiser_client.post(reverse("events:event_repeat", args=[source.pk]), fields)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Event.objects.count() == 1


def _edit_data(event, **overrides):
    local = lambda moment: f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"  # noqa: E731
    data = {
        "title": event.title,
        "summary": event.summary,
        "goals": [g.pk for g in event.goals.all()],
        "format": event.format,
        "kind": event.kind_id,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "joining_link": event.joining_link,
        "capacity": event.capacity,
        "speakers-TOTAL_FORMS": 0,
        "speakers-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_a_change_to_one_session_of_a_series_can_go_to_the_later_ones(organiser_client):
    source = _source()
    first, second, third = series_create(source=source, pattern="monthly-nth", count=3)
    for event in (first, second, third):
        event.status = Event.Status.PUBLISHED
        event.save()
    booked = RegistrationFactory(event=third)
    new_start = timezone.localtime(first.starts_at).replace(hour=10)

    page = organiser_client.get(reverse("events:event_edit", args=[first.pk])).content.decode()
    assert "This session and the 2 later sessions in its series" in page
    response = organiser_client.post(
        reverse("events:event_edit", args=[first.pk]),
        _edit_data(
            first,
            title="Supervision, revisited",
            starts_at=f"{new_start:%Y-%m-%d %H:%M}",
            ends_at=f"{new_start + datetime.timedelta(hours=2):%Y-%m-%d %H:%M}",
            apply_to="later",
        ),
        follow=True,
    )
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.title == "Anti-racist supervision"  # before it: left as it was
    for event in (first, second, third):
        event.refresh_from_db()
        local = timezone.localtime(event.starts_at)
        assert (event.title, local.hour, event.ends_at - event.starts_at) == (
            "Supervision, revisited",
            10,
            datetime.timedelta(hours=2),
        )
        assert (local.weekday(), (local.day - 1) // 7) == (1, 0)  # still the first Tuesday
    # The member booked on the third session hears of its move, as for any change.
    assert [m.to[0] for m in mail_sent()] == [booked.member.email]


def test_this_session_only_leaves_the_rest_of_the_series(organiser_client):
    source = _source()
    (later,) = series_create(source=source, pattern="weekly", count=1)
    organiser_client.post(
        reverse("events:event_edit", args=[source.pk]),
        _edit_data(source, title="Just this one", apply_to="this"),
    )
    later.refresh_from_db()
    assert later.title == "Anti-racist supervision"


def test_a_past_or_cancelled_session_of_the_series_is_not_changed(organiser_client):
    source = _source()
    first, second = series_create(source=source, pattern="weekly", count=2)
    first.status = Event.Status.CANCELLED
    first.save()
    organiser_client.post(
        reverse("events:event_edit", args=[source.pk]),
        _edit_data(source, title="Renamed", apply_to="later"),
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, second.title) == ("Anti-racist supervision", "Renamed")
