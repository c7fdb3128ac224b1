"""Signal receivers: the audit trail's lines for signing in and out and for two-step sign-in,
and those that keep members.caching's cached answers true."""

from functools import partial

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest

from .caching import ground_rules_forget, permissions_forget
from .models import GroundRules, User
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


def _forget(forget, *args):
    """Drop the cached answer now and, inside a transaction (an admin save, a publication),
    again once it commits: a request in between still reads the old rows and would otherwise
    cache the old answer until its timeout."""
    forget(*args)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(forget, *args))


def _user_roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set / permission.user_set changed: those users, or all on clear
        _forget(permissions_forget, list(pk_set) if pk_set else None)
    else:
        _forget(permissions_forget, [instance.pk])


def _group_permissions_changed(sender, action, **kwargs):
    if action.startswith("post_"):
        _forget(permissions_forget)


def _group_deleted(sender, **kwargs):
    _forget(permissions_forget)


def _user_saved(sender, instance, **kwargs):
    # is_superuser may have changed, which grants every permission.
    _forget(permissions_forget, [instance.pk])


def _ground_rules_changed(sender, **kwargs):
    _forget(ground_rules_forget)


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
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid="members.group_deleted")
    post_delete.connect(_group_deleted, sender=Permission, dispatch_uid="members.perm_deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="members.user_saved")
    post_save.connect(_ground_rules_changed, sender=GroundRules, dispatch_uid="members.gr_saved")
    post_delete.connect(_ground_rules_changed, sender=GroundRules, dispatch_uid="members.gr_del")
