"""Attendance at caucus sessions (issue 13, item 1).

The attacks: an organiser without `events.view_caucus_choice` uploads a register for a caucus
session and reads, on the check step, which members are "already recorded" (so in the caucus);
and the confirm step recorded at a caucus session someone who is in no caucus."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, CaucusMembership
from events.services import organise
from members import spreadsheets
from members.selectors import imports as import_selectors
from members.selectors.imports import CAUCUS_SESSION_REFUSED, NOT_IN_CAUCUS
from members.services.imports import import_apply
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
    caucus_member,
)

pytestmark = pytest.mark.django_db

DAY = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()


@pytest.fixture
def session():
    caucus = CaucusFactory(name="Zephyr caucus", slug="zephyr")
    start = timezone.now() - datetime.timedelta(days=2)
    start = start.replace(hour=12, minute=0)
    return EventFactory(
        title="Zephyr gathering", caucus=caucus, starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip


def _register(*people) -> str:
    lines = ["Email,Name,Event title,Event date"]
    lines += [f"{p.email},{p.name},Zephyr gathering,{DAY}" for p in people]
    return "\n".join(lines) + "\n"


def _check(client, text):
    upload = SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse("members:import_data"), {"step": "check", "kind": "attendance", "file": upload}
    )


def test_the_check_step_tells_an_organiser_without_the_permission_nothing(
    organiser_client, session
):
    inside = caucus_member(session.caucus)
    recorded = caucus_member(session.caucus)
    AttendanceFactory(event=session, member=recorded)
    outsider = UserFactory(name="Olu Outsider")

    response = _check(organiser_client, _register(inside, recorded, outsider))

    html = response.content.decode()
    assert response.status_code == 200
    assert "already recorded" not in html
    assert html.count(CAUCUS_SESSION_REFUSED) == 3
    assert "<li>3 not imported</li>" in html


def test_confirming_writes_no_attendance_for_an_organiser_without_the_permission(
    organiser_client, session
):
    inside = caucus_member(session.caucus)
    response = _check(organiser_client, _register(inside))
    token = response.context["confirm_form"].initial["token"]

    organiser_client.post(reverse("members:import_data"), {"step": "confirm", "token": token})

    assert not Attendance.objects.filter(event=session).exists()


def test_with_the_permission_only_the_caucus_members_are_recorded(session):
    inside = caucus_member(session.caucus)
    outsider = UserFactory(name="Olu Outsider")
    register = spreadsheets.read_register(
        __import__("io").BytesIO(_register(inside, outsider).encode()), "r.csv"
    )

    plan = import_selectors.plan_attendance(register, may_see_caucus=True)
    import_apply(plan)

    outcomes = {row.what.split(" <")[0]: row.reason for row in plan.rows}
    assert outcomes["Olu Outsider"] == NOT_IN_CAUCUS
    assert list(Attendance.objects.filter(event=session).values_list("member", flat=True)) == [
        inside.pk
    ]


def test_someone_new_in_a_register_is_never_recorded_at_a_caucus_session(session):
    text = f"Email,Name,Event title,Event date\nnew@example.org,New Person,Zephyr gathering,{DAY}\n"
    register = spreadsheets.read_register(__import__("io").BytesIO(text.encode()), "r.csv")

    plan = import_selectors.plan_attendance(register)
    import_apply(plan)

    assert [row.reason for row in plan.rows] == [NOT_IN_CAUCUS]
    assert not Attendance.objects.exists()
    assert plan.new_members == []


def test_a_walk_in_from_outside_the_caucus_is_refused(session, organiser):
    with pytest.raises(ValidationError, match="not a member of this session's caucus"):
        organise.attendance_add_walk_in(event=session, member=UserFactory(), recorded_by=organiser)
    assert not Attendance.objects.exists()


def test_a_member_who_left_the_caucus_after_booking_is_not_marked_present(session, organiser):
    stayed, left = caucus_member(session.caucus), caucus_member(session.caucus)
    for member in (stayed, left):
        RegistrationFactory(event=session, member=member)
    CaucusMembership.objects.filter(member=left).delete()

    organise.attendance_record(
        event=session, present_ids=[stayed.pk, left.pk], recorded_by=organiser
    )

    assert list(Attendance.objects.values_list("member", flat=True)) == [stayed.pk]
