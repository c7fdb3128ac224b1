"""Writes for the members app, one module per area it serves: accounts, onboarding,
organisations, journey, and the audit trail and emails every app uses. The areas above the other
apps (dashboard, data_rights, imports, starter) read and write events, resources and surveys too.

What other apps use is named here, and only that; this module never imports an area above the
other apps, so that their services can import it without a cycle."""

from .accounts import roles_sync
from .audit import Action as AuditAction
from .audit import audit_record
from .emails import CalendarInvitation, member_email_send
from .organisations import organisations_merged

__all__ = [
    "AuditAction",
    "CalendarInvitation",
    "audit_record",
    "member_email_send",
    "organisations_merged",
    "roles_sync",
]
