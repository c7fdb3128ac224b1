"""Writes for members' accounts: roles, profiles, email choices, and an imported member
claiming their record from the welcome link."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from ..caching import member_forget, members_forget
from ..models import DigestFrequency, User
from ..roles import ORGANISERS, ROLE_PERMISSIONS
from ..selectors.accounts import member_has_claimed
from .emails import CATEGORIES, TURNED_OFF


def roles_sync(*, using="default"):
    """Create the role groups and give each exactly the permissions `ROLE_PERMISSIONS` lists."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for group_name, dotted in ROLE_PERMISSIONS.items():
        wanted = Q(pk__in=[])
        for name in dotted:
            app_label, codename = name.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.using(using).filter(wanted))
        if len(permissions) != len(dotted):
            found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
            raise LookupError(f"Unknown permissions for {group_name}: {set(dotted) - found}")
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        group.permissions.set(permissions)
    # What a role may do may have changed: every member's kept permissions are retired.
    members_forget()


@transaction.atomic
def profile_update(*, user: User, **fields) -> User:
    """Save a member's own profile. The first save marks the profile step of joining as done."""
    interests = fields.pop("interests", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.profile_completed_at is None:
        user.profile_completed_at = timezone.now()
    user.full_clean()
    user.save()
    if interests is not None:
        user.interests.set(interests)
    member_forget(user.pk)
    return user


@transaction.atomic
def member_account_save(*, email: str, password: str, organiser: bool = False) -> User:
    """The member with this email, made if missing, able to sign in at once: this password,
    the address verified and primary, and in the organisers' group if `organiser`."""
    user = User.objects.filter(email=email).first() or User(email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if organiser:
        user.groups.add(Group.objects.get(name=ORGANISERS))
    member_forget(user.pk)
    return user


@transaction.atomic
def email_preferences_update(*, user: User, **choices) -> User:
    """Set which non-essential emails the member gets, e.g. `email_reminders=False` or
    `email_digest="fortnightly"`."""

    unknown = set(choices) - set(CATEGORIES.values())
    if unknown:
        raise ValueError(f"Not an email preference: {', '.join(sorted(unknown))}")
    if "email_digest" in choices and choices["email_digest"] not in DigestFrequency.values:
        raise ValueError(f"Not a choice of digest: {choices['email_digest']!r}")
    for name, value in choices.items():
        setattr(user, name, value if name == "email_digest" else bool(value))
    # Only these booleans are saved (no full_clean of the whole profile): turning emails off
    # must work even for a member whose other details would not pass today's validation.
    user.save(update_fields=list(choices))
    member_forget(user.pk)
    return user


@transaction.atomic
def email_unsubscribe(*, member_id: int, category: str) -> bool:
    """Turn one category of email off for a member, from an unsubscribe link (the digest's
    frequency becomes "none").

    Returns whether there was such a member."""

    turned_off = {CATEGORIES[category]: TURNED_OFF[category]}
    found = User.objects.filter(pk=member_id).update(**turned_off) == 1
    # An UPDATE: no save signal sees it, and a kept copy of the member saved later (their
    # profile) would otherwise write the old choice back.
    member_forget(member_id)
    return found


# Welcoming imported members: the link in a welcome, and claiming the record with it.

WELCOME_SALT = "members.welcome"
WELCOME_DAYS = 14


def _claim_state(member: User) -> str:
    """What changes once a record is claimed (or re-welcomed): a link made before is then void."""
    state = f"{member.password}|{member.last_login}|{member.welcomed_at}"
    return salted_hmac(WELCOME_SALT, state, algorithm="sha256").hexdigest()[:24]


def welcome_token(*, member: User) -> str:
    return signing.dumps([member.pk, _claim_state(member)], salt=WELCOME_SALT)


def welcome_member_for_token(token: str) -> User | None:
    """The imported member a welcome link is for, while it is unused and no more than
    WELCOME_DAYS old; otherwise None."""
    try:
        member_id, state = signing.loads(
            token, salt=WELCOME_SALT, max_age=timedelta(days=WELCOME_DAYS)
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    member = (
        User.objects.filter(pk=member_id, is_active=True).first()
        if isinstance(member_id, int)
        else None
    )
    if member is None or member_has_claimed(member):
        return None
    return member if constant_time_compare(state, _claim_state(member)) else None


@transaction.atomic
def member_claim(*, member: User, password: str) -> User:
    """An imported member takes their record over: their password set, their address (the one
    the welcome reached) verified, so they can sign in at once."""
    member = User.objects.select_for_update().get(pk=member.pk)
    if member_has_claimed(member):
        raise ValidationError("This record has already been claimed: sign in instead.")
    member.set_password(password)
    member.save(update_fields=["password"])
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    member_forget(member.pk)
    return member
