"""Writes for surveys, in modules named after the pages they serve: organise (the survey
builder, invitations and reminders), respond (taking answers), results (reading them, audited),
and release (anonymous answers written out among others).

`sealed_responses_regroup` is named here as well because merging organisations
(members.services) calls it as `surveys.services.sealed_responses_regroup`, and the invitation
links because the email after a session (members.services.journey) carries one. That email's
schedule first makes the sessions' standard surveys (`standard_surveys_make`), so the email
carries them, and the starter content loads the templates (`survey_templates_load`)."""

from .organise import invitation_link_discard, invitation_link_for
from .release import sealed_responses_regroup
from .reuse import standard_surveys_make, survey_templates_load

__all__ = [
    "invitation_link_discard",
    "invitation_link_for",
    "sealed_responses_regroup",
    "standard_surveys_make",
    "survey_templates_load",
]
