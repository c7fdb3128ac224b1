"""Writes for surveys, in modules named after the pages they serve: organise (the survey
builder, invitations and reminders), respond (taking answers), results (reading them, audited),
and release (anonymous answers written out among others).

`sealed_responses_regroup` is named here as well because merging organisations
(members.services) calls it as `surveys.services.sealed_responses_regroup`, and the invitation
links because the email after a session (members.services.journey) carries one."""

from .organise import invitation_link_discard, invitation_link_for
from .release import sealed_responses_regroup

__all__ = ["invitation_link_discard", "invitation_link_for", "sealed_responses_regroup"]
