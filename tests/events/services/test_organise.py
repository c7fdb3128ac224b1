"""Organisers' writes: attendance and walk-ins, triaging suggestions, and the starter content."""

import pytest
from django.core.exceptions import ValidationError

from events.models import Attendance, Suggestion
from events.services import organise, public
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_attendance_marks_registered_members_present_and_absent():
    organiser = UserFactory()
    event = EventFactory(past=True)
    came, missed = RegistrationFactory(event=event), RegistrationFactory(event=event)
    assert organise.attendance_record(
        event=event, present_ids=[came.member_id], recorded_by=organiser
    ) == (1, 0)
    assert set(event.attendances.values_list("member_id", flat=True)) == {came.member_id}
    assert organise.attendance_record(
        event=event, present_ids=[missed.member_id], recorded_by=organiser
    ) == (1, 1)
    assert set(event.attendances.values_list("member_id", flat=True)) == {missed.member_id}


def test_attendance_ignores_ids_of_people_not_registered_and_keeps_walk_ins():
    organiser = UserFactory()
    event = EventFactory(past=True)
    walk_in = UserFactory()
    organise.attendance_add_walk_in(event=event, member=walk_in, recorded_by=organiser)
    stranger = UserFactory()
    organise.attendance_record(event=event, present_ids=[stranger.pk], recorded_by=organiser)
    assert list(event.attendances.values_list("member_id", "walk_in")) == [(walk_in.pk, True)]


def test_attendance_cannot_be_recorded_before_the_event():
    with pytest.raises(ValidationError):
        organise.attendance_record(event=EventFactory(), present_ids=[], recorded_by=None)
    assert not Attendance.objects.exists()


def test_a_walk_in_cannot_be_added_twice():
    event = EventFactory(past=True)
    member = UserFactory(name="Walker")
    organise.attendance_add_walk_in(event=event, member=member, recorded_by=None)
    with pytest.raises(ValidationError) as caught:
        organise.attendance_add_walk_in(event=event, member=member, recorded_by=None)
    assert caught.value.messages == ["Walker is already on the attendance list."]


def test_suggestion_that_became_a_session_needs_the_session():
    suggestion = public.suggestion_create(member=UserFactory(), topic="Housing and health")
    with pytest.raises(ValidationError):
        organise.suggestion_triage(suggestion=suggestion, status="planned", organiser_note="")
    event = EventFactory()
    organise.suggestion_triage(
        suggestion=suggestion, status="planned", organiser_note="In May.", event=event
    )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.event, suggestion.organiser_note) == (
        Suggestion.Status.PLANNED,
        event,
        "In May.",
    )


def test_starter_content_loads_kinds_goals_and_two_caucuses_once():
    first = organise.starter_content_load()
    assert first == {
        "event_kinds": len(organise.STARTER_KINDS),
        "goals": len(organise.STARTER_GOALS),
        "caucuses": 2,
    }
    assert organise.starter_content_load() == {"event_kinds": 0, "goals": 0, "caucuses": 0}
