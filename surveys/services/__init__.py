"""Writes for surveys, in modules named after the pages they serve: organise (the survey
builder, invitations and reminders), respond (taking answers), results (reading them, audited),
and release (anonymous answers written out among others).

`sealed_responses_regroup` is named here as well because merging organisations
(members.services) calls it as `surveys.services.sealed_responses_regroup`."""

from .release import sealed_responses_regroup

__all__ = ["sealed_responses_regroup"]
