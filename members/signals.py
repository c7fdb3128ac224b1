"""Signal receivers: the audit trail's lines for signing in and out and for two-step sign-in,
and those that keep members.caching's cached answers true."""

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest

from .caching import (
    ground_rules_forget,
    member_forget,
    members_forget,
    organisations_changed,
    topics_changed,
)
from .models import GroundRules, Organisation, User
from .services.audit import Action, attempted_email_hash, audit_record

# The audit trail ---------------------------------------------------------------------------------


def _signed_in(sender, request, user, **kwargs):
    audit_record(_as_request(request), Action.SIGNED_IN, target=user, actor=user)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # `credentials` never reaches the trail: only a keyed hash of the address typed.
    email = credentials.get("email") or credentials.get("username") or ""
    detail = f"address hash {attempted_email_hash(email)}" if isinstance(email, str) else ""
    audit_record(_as_request(request), Action.SIGN_IN_FAILED, detail=detail)


def _signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    expired = getattr(request, "session_expired", "")
    action = Action.SESSION_EXPIRED if expired else Action.SIGNED_OUT
    # Sent before the session is flushed, so the request's user is still the one leaving.
    audit_record(_as_request(request), action, target=user, detail=expired, actor=user)


def _as_request(request) -> HttpRequest | None:
    return request if isinstance(request, HttpRequest) else None


def _mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(request, Action.MFA_ADDED, target=user, detail=authenticator.type, actor=user)


def _mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(request, Action.MFA_REMOVED, target=user, detail=authenticator.type, actor=user)


# Cached answers ----------------------------------------------------------------------------------
#
# The portal's services move the generations themselves (members.caching). These receivers are
# for writes made outside them: the admin, allauth saving a password or an email address,
# Django recording the last sign-in, a shell. Deleting an organisation empties its members'
# organisation with an UPDATE, which no member's save signal sees.


def _user_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        member_forget(instance.pk)
    elif pk_set:  # group.user_set / permission.user_set changed: those members
        member_forget(*pk_set)
    else:  # cleared: whoever they were
        members_forget()


def _group_permissions_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        members_forget()


def _everyone_changed(sender, **kwargs):
    members_forget()


def _user_changed(sender, instance, **kwargs):
    # Any field may be one a page shows, and is_superuser grants every permission.
    member_forget(instance.pk)


def _ground_rules_changed(sender, **kwargs):
    ground_rules_forget()


def _organisation_saved(sender, **kwargs):
    # A rename in the admin: kept pages name the organisation, as the service's rename does.
    organisations_changed()


def _topics_changed(sender, **kwargs):
    # A member's interests are topics, shown by name on their kept profile.
    topics_changed()


def connect():
    user_logged_in.connect(_signed_in, dispatch_uid="members.signals.audit_signed_in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="members.signals.audit_sign_in_failed")
    user_logged_out.connect(_signed_out, dispatch_uid="members.signals.audit_signed_out")
    authenticator_added.connect(_mfa_added, dispatch_uid="members.signals.audit_mfa_added")
    authenticator_removed.connect(_mfa_removed, dispatch_uid="members.signals.audit_mfa_removed")
    m2m_changed.connect(
        _user_roles_changed, sender=User.groups.through, dispatch_uid="members.roles"
    )
    m2m_changed.connect(
        _user_roles_changed, sender=User.user_permissions.through, dispatch_uid="members.perms"
    )
    m2m_changed.connect(
        _group_permissions_changed, sender=Group.permissions.through, dispatch_uid="members.gperms"
    )
    post_delete.connect(_everyone_changed, sender=Group, dispatch_uid="members.group_deleted")
    post_delete.connect(_everyone_changed, sender=Permission, dispatch_uid="members.perm_deleted")
    post_delete.connect(
        _everyone_changed, sender=Organisation, dispatch_uid="members.organisation_deleted"
    )
    post_save.connect(
        _organisation_saved, sender=Organisation, dispatch_uid="members.organisation_saved"
    )
    # Named, not imported: members imports no other app.
    post_save.connect(_topics_changed, sender="resources.Topic", dispatch_uid="members.topic_saved")
    post_delete.connect(
        _topics_changed, sender="resources.Topic", dispatch_uid="members.topic_deleted"
    )
    post_save.connect(_user_changed, sender=User, dispatch_uid="members.user_saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="members.user_deleted")
    post_save.connect(_ground_rules_changed, sender=GroundRules, dispatch_uid="members.gr_saved")
    post_delete.connect(_ground_rules_changed, sender=GroundRules, dispatch_uid="members.gr_del")
