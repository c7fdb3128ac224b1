"""Email to members: one place that honours their preferences and adds one-click unsubscribe
(RFC 8058) to everything that is not essential. Messages go into the outbox (cop_portal.mail),
in the transaction of the task or change that writes them, and the workers send them."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from cop_portal.mail.messages import KEY_HEADER, KIND_HEADER, PRIORITY_HEADER, InvitationMessage
from cop_portal.mail.models import PRIORITY_ESSENTIAL, PRIORITY_NEWS, PRIORITY_REMINDER
from cop_portal.web.portal_address import absolute_url, portal_url

from ..models import DigestFrequency
from ..selectors.accounts import member_has_claimed

# The preference field that governs each kind of non-essential email.
CATEGORIES = {
    "programme": "email_programme",
    "reminders": "email_reminders",
    "catch_up": "email_catch_up",
    "surveys": "email_surveys",
    "digest": "email_digest",
    "organiser_news": "email_organiser_waiting",
}
# The value of that field when the member has turned the category off: most are on or off, the
# digest's says how often it comes. Unsubscribing sets it.
TURNED_OFF = dict.fromkeys(CATEGORIES, False) | {"digest": DigestFrequency.NONE}


def category_wanted(*, member, category: str) -> bool:
    """Whether the member gets this category of email."""
    return getattr(member, CATEGORIES[category]) != TURNED_OFF[category]


UNSUBSCRIBE_SALT = "members.unsubscribe"


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


def _priority(category) -> int:
    if category is None:
        return PRIORITY_ESSENTIAL
    return PRIORITY_REMINDER if category == "reminders" else PRIORITY_NEWS


def member_email_send(
    *,
    member,
    subject: str,
    template: str,
    context: dict,
    category=None,
    invitation: CalendarInvitation | None = None,
    key: str | None = None,
    unclaimed_too: bool = False,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> bool:
    """Render `template` (a plain-text template) and queue it for `member`, with a calendar
    `invitation` if one is given. The workers send it (cop_portal.mail), in the portal's layout.

    With a `category` the email is non-essential: it is not sent to a member who has turned
    that category off, and it carries a List-Unsubscribe header and link. `key` names the
    message, so that a task that runs again cannot queue it twice. `unclaimed_too` lets a
    non-essential email reach members who have not claimed an imported record, for email they
    can act on without an account. `attachments` are (filename, content, MIME type), kept in
    the outbox with the message.

    `member` may also be an invited guest (events.Guest), who has no account: such email is
    always essential (no `category`), and goes only while the guest `is_active`. Returns
    whether it was queued."""
    if not member.is_active or not member.email:
        return False
    headers = {
        KIND_HEADER: template,
        PRIORITY_HEADER: str(_priority(category)),
    }
    if key is not None:
        headers[KEY_HEADER] = key
    context = {**context, "member": member, "portal_url": portal_url()}
    if category is not None:
        if not category_wanted(member=member, category=category):
            return False
        # Someone imported from a register who has not claimed their record never asked for
        # the CoP's news and cannot act on most of it (it needs an account): essential email
        # only, such as the welcome that lets them claim it, unless the sender says this email
        # is one they can act on without an account (`unclaimed_too`: a survey invitation,
        # whose personal link opens the survey with no sign-in). It still carries the
        # one-click unsubscribe.
        if not unclaimed_too and not member_has_claimed(member):
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
        message = InvitationMessage.with_calendar(
            method=invitation.method,
            content=invitation.content,
            filename=invitation.filename,
            **fields,
        )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send() == 1
