"""Writes for the organisers' People pages: the audit lines for reading the member list and a
member's page, and giving and taking away the organiser and steering-group roles.

Roles are given by people who hold `members.manage_roles` (nobody but administrators, until an
administrator gives it to someone by name). A role change takes effect on the member's next
request: moving their generation (members.caching.member_forget) retires what is kept about
them, permissions and all, and the two-step sign-in check
(members.middleware.MFARequiredMiddleware) looks again as soon as their permissions differ from
those it last checked, so a new organiser without an authenticator app is sent to set one up on
their very next page."""

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.tasks import task

from cop_portal.web.portal_address import request_address, request_address_carried

from ..caching import member_forget
from ..models import User
from ..selectors.accounts import member_has_claimed
from ..selectors.people import MANAGED_ROLES, ROLE_CHOICES, role_group
from .audit import Action, audit_record
from .emails import member_email_send

MANAGE_ROLES = "members.manage_roles"
ROLE_LABELS = dict(ROLE_CHOICES)


def member_list_export_record(*, request, rows: int, filters: str) -> None:
    """An organiser downloaded the member list: who (from `request`), how many rows, and which
    filters (their kinds and codes, never a search typed)."""
    counted = f"{rows} row" if rows == 1 else f"{rows} rows"
    audit_record(request, Action.MEMBER_LIST_EXPORTED, detail=f"{counted}; {filters}")


def member_page_view_record(*, request, member: User, with_caucus: bool) -> None:
    """An organiser opened `member`'s page. A viewer trusted with caucus choices was shown the
    member's caucus sessions too, which the line says."""
    audit_record(
        request,
        Action.MEMBER_PAGE_VIEWED,
        target=member,
        detail="caucus sessions shown" if with_caucus else "",
    )


def _keeps_manage_roles(user: User, *, without_group: str) -> bool:
    """Whether `user` would still hold `members.manage_roles` after leaving `without_group`."""
    if user.is_superuser:
        return True
    permission = Permission.objects.filter(
        content_type__app_label="members", codename="manage_roles"
    )
    return permission.filter(
        Q(user=user) | Q(group__user=user) & ~Q(group__name=without_group)
    ).exists()


def role_change_refusal(*, member: User, role: str, actor: User, give: bool):
    """Why `actor` may not give (or take away) `role`, or None when they may."""
    if role not in MANAGED_ROLES:
        return ValidationError("There is no such role.", code="role")
    if member.erased_at:
        return ValidationError(
            "This member’s data has been erased, so they cannot hold a role.", code="erased"
        )
    if give and not member.is_active:
        return ValidationError(
            "This account is closed, so it cannot be given a role.", code="closed"
        )
    if give and not member_has_claimed(member):
        return ValidationError(
            "This member was imported and has not joined yet: give them a role once they have "
            "an account.",
            code="unclaimed",
        )
    if (
        not give
        and member.pk == actor.pk
        and actor.has_perm(MANAGE_ROLES)
        and not _keeps_manage_roles(actor, without_group=MANAGED_ROLES[role])
    ):
        return ValidationError(
            f"You cannot take away your own {ROLE_LABELS[role].lower()} role: it is what lets "
            "you manage roles, and nobody else could give it back to you. Ask another person "
            "who manages roles.",
            code="own_manage_roles",
        )
    return None


@transaction.atomic
def role_give(*, member: User, role: str, request) -> bool:
    """Give `member` the role, unless they hold it already; returns whether it changed. The
    change is audited, and the member is told by email (essential: it changes what they can do
    and asks them to set up two-step sign-in)."""
    group = role_group(role)
    if member.groups.filter(pk=group.pk).exists():
        return False
    member.groups.add(group)
    member_forget(member.pk)
    line = audit_record(request, Action.ROLE_GRANTED, target=member, detail=role)
    # Queued in this transaction (the task queue is in the database): no grant, no email.
    role_given_email_send.enqueue(member.pk, role, line.pk, portal_base=request_address())
    return True


@transaction.atomic
def role_remove(*, member: User, role: str, request) -> bool:
    """Take the role away from `member`; returns whether it changed. It takes effect on their
    next request: what is kept about them is retired here."""
    group = role_group(role)
    if not member.groups.filter(pk=group.pk).exists():
        return False
    member.groups.remove(group)
    member_forget(member.pk)
    audit_record(request, Action.ROLE_REMOVED, target=member, detail=role)
    return True


@task
@request_address_carried
@transaction.atomic
def role_given_email_send(member_id: int, role: str, audit_id: int) -> bool:
    """Tell a member they were given a role, and that they must set up two-step sign-in: once
    per grant (the audit line names the grant), and not if the role has gone again since."""
    member = User.objects.get(pk=member_id)
    if not member.groups.filter(name=MANAGED_ROLES[role]).exists():
        return False
    return member_email_send(
        member=member,
        subject=f"You are now in the CoP’s {ROLE_LABELS[role].lower()} role",
        template="members/email/role_given.txt",
        context={"role": ROLE_LABELS[role], "organiser": role == "organiser"},
        key=f"role-given:{member.pk}:{role}:{audit_id}",
    )
