"""Sending email to members: one place that honours their preferences and adds one-click
unsubscribe (RFC 8058) to everything that is not essential."""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from cop_portal.web.portal_address import absolute_url, portal_url

from ..selectors.accounts import member_has_claimed

# The preference field that governs each kind of non-essential email.
CATEGORIES = {
    "programme": "email_programme",
    "reminders": "email_reminders",
    "catch_up": "email_catch_up",
    "surveys": "email_surveys",
}
UNSUBSCRIBE_SALT = "members.unsubscribe"

logger = logging.getLogger(__name__)


def unsubscribe_token(*, member, category: str) -> str:
    return signing.dumps([member.pk, category], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """The (member id, category) a token stands for, or None if it is not one of ours."""
    try:
        member_id, category = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if category not in CATEGORIES or not isinstance(member_id, int):
        return None
    return member_id, category


@dataclass(frozen=True)
class CalendarInvitation:
    """A calendar message for one member (iTIP, RFC 5546): `method` is REQUEST or CANCEL,
    `content` the iCalendar file and `filename` the name of its attached copy."""

    method: str
    content: bytes
    filename: str


class _InvitationMessage(EmailMultiAlternatives):
    """An email that mail clients show as an invitation, with buttons and an automatic update
    of the calendar: the calendar is an alternative to the text, typed `text/calendar` with its
    method (RFC 6047), which is what Outlook and Gmail look for; the same file is attached too,
    for clients that only offer attachments."""

    def __init__(self, *, invitation: CalendarInvitation, **kwargs):
        super().__init__(**kwargs)
        self.calendar_method = invitation.method
        self.attach_alternative(invitation.content.decode(), "text/calendar")
        self.attach(invitation.filename, invitation.content, "application/ics")

    def message(self, **kwargs):
        message = super().message(**kwargs)
        # Django types an alternative without parameters, and the email package would quote
        # them; the method is what makes the part an invitation, so it is written as Outlook
        # and Gmail write their own: unquoted.
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                del part["Content-Type"]
                part.set_raw(
                    "Content-Type", f"text/calendar; method={self.calendar_method}; charset=UTF-8"
                )
        return message


def member_email_send(
    *,
    member,
    subject: str,
    template: str,
    context: dict,
    category=None,
    invitation: CalendarInvitation | None = None,
) -> bool:
    """Render `template` (a plain-text template) and send it to `member`, with a calendar
    `invitation` if one is given.

    With a `category` the email is non-essential: it is not sent to a member who has turned
    that category off, and it carries a List-Unsubscribe header and link. Returns whether it
    was sent."""
    if not member.is_active or not member.email:
        return False
    headers = {}
    context = {**context, "member": member, "portal_url": portal_url()}
    if category is not None:
        if not getattr(member, CATEGORIES[category]):
            return False
        # Someone imported from a register who has not claimed their record never asked for
        # the CoP's news and cannot act on it (a survey link needs an account): essential email
        # only, such as the welcome that lets them claim it.
        if not member_has_claimed(member):
            return False
        token = unsubscribe_token(member=member, category=category)
        link = absolute_url(reverse("members:unsubscribe", kwargs={"token": token}))
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        context["unsubscribe_url"] = link
    fields = {
        "subject": f"{settings.EMAIL_SUBJECT_PREFIX}{subject}",
        "body": render_to_string(template, context),
        "to": [member.email],
        "headers": headers,
    }
    if invitation is None:
        message = EmailMessage(**fields)
    else:
        message = _InvitationMessage(invitation=invitation, **fields)
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        # The change that prompted the email is already saved: a mail server that is down
        # must not turn it into an error page. The failure is logged for the operators, by
        # template rather than subject: a subject can name a caucus session, and a log line
        # joining it to a member would reveal their caucus (special category data).
        logger.exception("Could not send %s to member %s", template, member.pk)
        return False
    return True
