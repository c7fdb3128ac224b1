"""The audit trail: who signed in, who was refused, and organisers' reads and changes of members'
personal and special category data (see "Audit trail" in the README).

Every line says what kind of thing happened, to which record, by whom, when and from where:
never the values themselves. No caucus name, no free text, no email address, no password."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cop_portal.web.client_ip import client_ip

from ..models import AuditEvent

Action = AuditEvent.Action

# A failed sign-in keeps a keyed hash of the address typed, so that many attempts on one account
# can be told apart from attempts on many, without the trail holding anyone's email address.
ATTEMPT_HASH_SALT = "members.audit.attempted-email"


def actor_label(user) -> str:
    return f"user #{user.pk}" if user is not None and user.pk is not None else ""


def audit_record(
    request_or_actor,
    action: str,
    target: models.Model | None = None,
    detail: str = "",
    *,
    actor=None,
) -> AuditEvent:
    """Add one line to the audit trail.

    `request_or_actor` is the request (the signed-in user, the path and the address are taken
    from it), a user, or None. `target` is the record read or changed. `detail` is a short note
    that must not contain personal values: counts and kinds, never names or text. `actor`
    overrides the request's user (at sign-in, before the request has one)."""
    path, ip = "", None
    if isinstance(request_or_actor, HttpRequest):
        request = request_or_actor
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
        path = request.path[:300]
        ip = client_ip(request)
    elif actor is None:
        actor = request_or_actor
    target_type, target_id = None, ""
    if target is not None:
        target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        target_id = str(target.pk)
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail[:200],
        path=path,
        ip=ip,
    )


def attempted_email_hash(email: str) -> str:
    return salted_hmac(ATTEMPT_HASH_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[
        :16
    ]


# Keeping the trail ------------------------------------------------------------------------------

# How long audit lines are kept: see "Audit trail" in the README.
KEEP_DAYS = 730


def audit_purge(*, days: int = KEEP_DAYS) -> int:
    """Delete audit lines older than `days` days; returns how many went."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
