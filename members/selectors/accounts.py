"""Reads for members' accounts: the directory, and which members were imported from a
spreadsheet and have not claimed their record yet."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from ..models import User


def member_directory(*, organisation=None, sector: str = "", interest=None):
    """Members who chose to be listed, with what their directory cards show."""
    members = (
        User.objects.filter(is_active=True, listed_in_directory=True)
        .select_related("organisation")
        .prefetch_related("interests")
    )
    if organisation is not None:
        members = members.filter(organisation=organisation)
    if sector:
        members = members.filter(sector=sector)
    if interest is not None:
        members = members.filter(interests=interest)
    return members


def interest_topics():
    """The topics a member may name as interests: all those the interests relation reaches
    (resources' topics, which members does not import)."""
    return User.interests.field.related_model.objects.all()


def member_has_claimed(member) -> bool:
    """Whether the member has an account of their own: a password they set, or a sign-in
    (Microsoft's) that gave the portal their address. Imported members have neither."""
    return member.has_usable_password() or EmailAddress.objects.filter(user=member).exists()


def unclaimed_members() -> Q:
    """Members imported from a spreadsheet who have not claimed their record: no password they
    set, and no sign-in that gave the portal their address (`member_has_claimed` asks the same
    of one member)."""
    return Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & ~Exists(
        EmailAddress.objects.filter(user=OuterRef("pk"))
    )


def member_is_imported(user: User) -> bool:
    """Imported from a spreadsheet and not yet signed up: no password they could use and no
    email address of their own in allauth. (Everyone who signs up, by password or by Microsoft,
    gets an allauth EmailAddress.)"""
    return not member_has_claimed(user)


def imported_member_for_email(email: str) -> User | None:
    """The imported member who would take over their record by signing up with this email:
    only when they are the one user with it, and no other account has claimed it."""
    users = list(User.objects.filter(email__iexact=email.strip())[:2])
    if len(users) != 1 or not member_is_imported(users[0]):
        return None
    if EmailAddress.objects.filter(email__iexact=email.strip()).exists():
        return None
    return users[0]


def microsoft_login_url() -> str:
    """Where signing in with Microsoft starts, or "" when no Microsoft app is set up."""
    configured = settings.SOCIALACCOUNT_PROVIDERS.get("microsoft", {}).get("APPS")
    if not configured and not SocialApp.objects.filter(provider="microsoft").exists():
        return ""
    return reverse("microsoft_login")
