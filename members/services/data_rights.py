"""A member's right to erasure (UK GDPR article 17): their own account deleted, or erased by
an organiser at their request; and the audit trail's lines for an organiser reading a member's
data. (The copy of their data, articles 15 and 20, is in members/selectors/data_rights.py.)

Erasure keeps the numbers the CoP reports on: the user row stays, anonymised and inactive, so
attendance and registrations still count; named survey responses lose their link to the person
but keep their answers; published case studies stay, credited as anonymous. Everything private
(profile, caucus choice, actions, check-ins, reflections, email addresses, sign-in links) goes.

`USER_RELATIONS` records what happens to every field in the project that points at a user, so a
new one cannot be added without a decision (tests/members/views/test_data_rights.py checks it)."""

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cop_portal.mail.services import recipient_forget
from events.models import CalendarFeed, CaucusMembership, Guest, Registration, Suggestion
from events.services import registration_cancel
from events.services.guests import guests_anonymise
from resources.models import CaseStudy, Concern, Follow, Message, Post, Reflection, StepProgress
from surveys.models import Response

from ..caching import member_forget
from ..models import Action, CheckIn, DigestFrequency, GroundRulesAgreement, User
from .audit import Action as AuditAction
from .audit import audit_record

# Who acted on whose data, and when: ids only, never the data itself.
logger = logging.getLogger("members.data_rights")

FORMER_MEMBER = "Former member"
# RFC 2606 reserves .invalid: no address under it can ever receive mail.
ERASED_EMAIL = "former-member-{pk}@erased.invalid"

# What erasure does with every field that points at a user.
USER_RELATIONS = {
    # Kept attached to the anonymised account so that the numbers stay true.
    "events.Registration.member": "kept (upcoming places cancelled)",
    "events.Attendance.member": "kept",
    "surveys.Invitation.member": "kept",
    # Detached from the person; the content stays.
    "surveys.Response.member": "detached",
    "events.Suggestion.member": "detached",
    "events.Guest.member": "detached, with their name and address as a guest erased",
    "resources.CaseStudy.author": "detached if published, otherwise deleted",
    # Private to the member: deleted.
    "members.GroundRulesAgreement.member": "deleted",
    "members.Action.member": "deleted",
    "members.CheckIn.member": "deleted",
    "events.CaucusMembership.member": "deleted",
    "events.CalendarFeed.member": "deleted",
    "resources.StepProgress.member": "deleted",
    "resources.Reflection.member": "deleted",
    # Conversation: their words go, and both sides of their private messages.
    "resources.Post.author": "deleted",
    "resources.Follow.member": "deleted",
    "resources.Message.sender": "deleted",
    "resources.Message.recipient": "deleted",
    "resources.Concern.raised_by": "deleted (a post hidden only by it is shown again)",
    "account.EmailAddress.user": "deleted",
    "socialaccount.SocialAccount.user": "deleted",
    "mfa.Authenticator.user": "deleted",
    # Who did a piece of organising work: not data about the member, and harmless once the
    # account carries no name. Kept.
    "admin.LogEntry.user": "kept",
    "members.ContentPage.updated_by": "kept",
    "members.GroundRules.created_by": "kept",
    "members.GroundRules.published_by": "kept",
    "events.Attendance.recorded_by": "kept",
    "events.Guest.invited_by": "kept",
    "resources.Resource.created_by": "kept",
    "surveys.Survey.created_by": "kept",
    "events.SessionMessage.sent_by": "kept",
    "members.ValueStory.written_by": "kept",
    "surveys.StandardSurvey.chosen_by": "kept",
    "resources.Concern.decided_by": "kept",
    # The trail names the account by id only; it stays, pointing at the anonymised account.
    "members.AuditEvent.actor": "kept",
}


def _sessions_end(member: User) -> int:
    """End every session signed in as `member`. Sessions are kept in the database (behind a
    cache with cached_db); Django stores the user id inside the encoded data, so each live one
    is read, and deleted through the session engine so that a cached copy goes too. (The
    unusable password set on erasure would also refuse any session it missed.)"""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(member.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def member_erase(*, member: User) -> User:
    """Erase `member`'s personal data and close the account, all in one transaction.

    Returns the anonymised user. Erasing an account twice changes nothing more."""
    member = User.objects.select_for_update().get(pk=member.pk)
    now = timezone.now()

    # Places at sessions still to come go to the people waiting; past bookings stay counted.
    upcoming = (
        Registration.objects.filter(member=member, event__starts_at__gt=now)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("pk")
    )
    for registration in upcoming:
        registration_cancel(registration=registration)

    CaucusMembership.objects.filter(member=member).delete()
    Action.objects.filter(member=member).delete()
    CheckIn.objects.filter(member=member).delete()
    Reflection.objects.filter(member=member).delete()
    StepProgress.objects.filter(member=member).delete()
    CalendarFeed.objects.filter(member=member).delete()
    GroundRulesAgreement.objects.filter(member=member).delete()
    EmailAddress.objects.filter(user=member).delete()
    SocialAccount.objects.filter(user=member).delete()  # and its tokens with it
    Authenticator.objects.filter(user=member).delete()

    CaseStudy.objects.filter(author=member, status=CaseStudy.Status.PUBLISHED).update(
        author=None, credit_author=False
    )
    CaseStudy.objects.filter(author=member).delete()
    # Conversation: their posts and both sides of their messages go. A post hidden only by
    # their concerns is shown again, as it would be had nobody raised one.
    Post.objects.filter(
        status=Post.Status.UNDER_REVIEW, concerns__raised_by=member, concerns__decided_at=None
    ).exclude(
        concerns__in=Concern.objects.filter(decided_at=None).exclude(raised_by=member)
    ).update(status=Post.Status.VISIBLE)
    Concern.objects.filter(raised_by=member).delete()
    Post.objects.filter(author=member).delete()
    Follow.objects.filter(member=member).delete()
    Message.objects.filter(Q(sender=member) | Q(recipient=member)).delete()
    Response.objects.filter(member=member).update(member=None)
    Suggestion.objects.filter(member=member).update(member=None)
    # Invitations as a guest before joining: kept, so that attendance figures stay as they were,
    # with nothing left that says who they were.
    guests_anonymise(Guest.objects.filter(member=member))

    # Emails still waiting for them are not sent to an erased account's old address.
    recipient_forget(member.email)
    member.interests.clear()
    member.groups.clear()
    member.user_permissions.clear()
    member.email = ERASED_EMAIL.format(pk=member.pk)
    member.name = FORMER_MEMBER
    member.organisation = None
    member.job_role = member.sector = member.seniority = ""
    member.listed_in_directory = member.directory_shows_email = False
    member.email_programme = member.email_reminders = False
    member.email_catch_up = member.email_surveys = False
    member.email_digest = DigestFrequency.NONE
    member.email_organiser_waiting = False
    member.profile_completed_at = member.introduction_read_at = member.last_login = None
    member.is_active = member.is_staff = member.is_superuser = False
    member.set_unusable_password()
    member.erased_at = member.erased_at or now
    member.save()
    member_forget(member.pk)
    _sessions_end(member)
    return member


@transaction.atomic
def account_delete(*, request) -> User:
    """The member signed in on `request` deletes their own account: `member_erase`, and a line
    in the log and the audit trail. Signing them out is the page's to do."""
    member = member_erase(member=request.user)
    logger.info("Member %s deleted their account", member.pk)
    audit_record(request, AuditAction.ACCOUNT_DELETED, target=member)
    return member


def member_erase_refusal(*, member: User, organiser: User) -> ValidationError | None:
    """Why `organiser` may not erase `member`'s data, or None when they may. Code "erased" is a
    refusal only in that there is nothing left to do."""
    if member.pk == organiser.pk:
        return ValidationError(
            "To delete your own account, use “Your data” on your profile.", code="own_account"
        )
    if member.is_superuser and not organiser.is_superuser:
        return ValidationError(
            "Only an administrator can erase an administrator’s account.", code="administrator"
        )
    if member.erased_at:
        return ValidationError("This member’s data has already been erased.", code="erased")
    return None


@transaction.atomic
def member_data_erase(*, member: User, request) -> User:
    """An organiser (signed in on `request`) erases `member`'s data at their request: refused as
    `member_erase_refusal` says (ValidationError), else `member_erase`, with a line in the log
    and the audit trail."""
    if refusal := member_erase_refusal(member=member, organiser=request.user):
        raise refusal
    erased = member_erase(member=member)
    logger.info("Organiser %s erased the data of member %s", request.user.pk, member.pk)
    audit_record(request, AuditAction.MEMBER_ERASED, target=member)
    return erased


def member_data_export_record(*, member: User, request) -> None:
    """An organiser (signed in on `request`) downloads `member`'s data at their request: the
    read goes in the log and the audit trail."""
    logger.info("Organiser %s downloaded the data of member %s", request.user.pk, member.pk)
    audit_record(request, AuditAction.MEMBER_DATA_EXPORTED, target=member)
