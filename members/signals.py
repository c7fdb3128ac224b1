"""Signal receivers that keep members.caching's cached answers true."""

from functools import partial

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .caching import ground_rules_forget, permissions_forget
from .models import GroundRules, User


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
