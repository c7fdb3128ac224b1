"""A member's data exported by an organiser without `events.view_caucus_choice` leaves out
everything that follows from a caucus, by one rule (issue 13, item 1).

The fault: with the caucus "left out", the export still listed progress and reflections on a
caucus session's materials, which told the organiser which caucus the member was in."""

import datetime
import json
from collections import deque

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from events.models import Caucus
from members.selectors.data_rights import CAUCUS_TIES, CAUCUS_TIES_NOT_LEFT_OUT, member_data_export
from tests.factories import (
    ActionFactory,
    AttendanceFactory,
    CaucusFactory,
    CaucusMembershipFactory,
    EventFactory,
    LearningPathwayFactory,
    PathwayStepFactory,
    ReflectionFactory,
    RegistrationFactory,
    ResourceFactory,
    StepProgressFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CAUCUS_SESSION = "Zephyr caucus gathering"
CAUCUS_MATERIAL = "Zephyr caucus reading"


def _paths_to_caucus(model, depth=5) -> set[str]:
    """Every chain of forward relations from `model` to events.Caucus, not through a user (a
    path through the member themselves, or whoever recorded a row, is no tie to a caucus)."""
    user = get_user_model()
    found, queue = set(), deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        for field in current._meta.get_fields():
            if not (
                field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
            ):
                continue
            target = field.related_model
            step = f"{path}__{field.name}" if path else field.name
            if target is Caucus:
                found.add(step)
            elif target is not user and step.count("__") < depth - 1:
                queue.append((target, step))
    return found


def test_every_way_a_members_record_leads_to_a_caucus_is_left_out_by_the_one_rule():
    user = get_user_model()
    related = {
        r.related_model
        for r in user._meta.get_fields(include_hidden=True)
        if r.auto_created and not r.concrete
    }
    ties = {m._meta.label: _paths_to_caucus(m) for m in related if _paths_to_caucus(m)}

    decided = {label: set(paths) for label, paths in CAUCUS_TIES.items()}
    assert decided == {k: v for k, v in ties.items() if k not in CAUCUS_TIES_NOT_LEFT_OUT}
    assert set(CAUCUS_TIES_NOT_LEFT_OUT) <= set(ties)
    assert all(apps.get_model(label) in related for label in CAUCUS_TIES)


@pytest.fixture
def world():
    caucus = CaucusFactory(name="Zephyr caucus", slug="zephyr")
    member = UserFactory(email="sam@example.org")
    CaucusMembershipFactory(member=member, caucus=caucus)
    sessions = {
        "caucus": EventFactory(title=CAUCUS_SESSION, caucus=caucus, past=True),
        "open": EventFactory(title="Open webinar", past=True),
    }
    pathway = LearningPathwayFactory(title="Foundations")
    for order, (kind, event) in enumerate(sessions.items(), 1):
        RegistrationFactory(event=event, member=member)
        AttendanceFactory(event=event, member=member)
        ActionFactory(
            member=member, what=f"Act on the {kind} session", why="To change",
            due_on=datetime.date(2027, 1, 1), level="team", event=event,
        )  # fmt: skip
        title = CAUCUS_MATERIAL if kind == "caucus" else "Open reading"
        step = PathwayStepFactory(
            pathway=pathway, resource=ResourceFactory(title=title, event=event), order=order
        )
        StepProgressFactory(member=member, step=step)
        ReflectionFactory(member=member, step=step, text=f"On the {kind} reading")
    return member


def test_an_organiser_without_the_permission_sees_nothing_that_follows_from_the_caucus(
    world, organiser
):
    data = member_data_export(member=world, viewer=organiser)

    text = json.dumps(data, default=str)
    assert "Zephyr" not in text
    assert "Act on the caucus session" not in text
    assert "On the caucus reading" not in text
    assert [r["event"] for r in data["event_registrations"]] == ["Open webinar"]
    assert [a["event"] for a in data["attendance"]] == ["Open webinar"]
    assert [a["what"] for a in data["actions"]] == ["Act on the open session"]
    assert [p["resource"] for p in data["pathway_progress"]] == ["Open reading"]
    assert [r["text"] for r in data["reflections"]] == ["On the open reading"]


def test_the_member_sees_everything_in_their_own_copy(world):
    data = member_data_export(member=world)

    assert data["caucus"]["caucus"] == "Zephyr caucus"
    assert sorted(p["resource"] for p in data["pathway_progress"]) == [
        "Open reading",
        CAUCUS_MATERIAL,
    ]
    assert sorted(r["text"] for r in data["reflections"]) == [
        "On the caucus reading",
        "On the open reading",
    ]
    assert sorted(a["what"] for a in data["actions"]) == [
        "Act on the caucus session",
        "Act on the open session",
    ]
