"""Reads for a member's home page: the steps of joining still to take, and what is coming up
for them across the portal (their sessions, surveys waiting, actions), so it sits with the areas
above the other apps."""

from dataclasses import dataclass

from events import selectors as events_selectors
from surveys import selectors as surveys_selectors

from ..models import User
from .journey import ActionSummary, member_action_summary
from .onboarding import GroundRulesStatus, NextStep, member_next_steps

UPCOMING_SHOWN = 3
SURVEYS_SHOWN = 5


@dataclass(frozen=True)
class HomePage:
    steps: list[NextStep]
    upcoming: object  # the member's next sessions, soonest first
    surveys: object  # surveys waiting for their answer
    action_summary: ActionSummary

    @property
    def steps_done(self) -> bool:
        return all(step.done for step in self.steps)


def home_page(*, member: User, ground_rules: GroundRulesStatus) -> HomePage:
    return HomePage(
        steps=member_next_steps(user=member, ground_rules=ground_rules),
        upcoming=events_selectors.member_upcoming(member=member)[:UPCOMING_SHOWN],
        surveys=surveys_selectors.surveys_waiting(member=member)[:SURVEYS_SHOWN],
        action_summary=member_action_summary(member=member),
    )
