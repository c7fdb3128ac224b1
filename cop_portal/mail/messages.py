"""Messages as the outbox stores them, and the layout every message is given on the way in."""

import base64
import re
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import mark_safe

# Headers a sender sets to tell the outbox about a message; they are not sent.
KIND_HEADER = "X-Outbox-Kind"
KEY_HEADER = "X-Outbox-Key"
PRIORITY_HEADER = "X-Outbox-Priority"
OUTBOX_HEADERS = (KIND_HEADER, KEY_HEADER, PRIORITY_HEADER)


class InvitationMessage(EmailMultiAlternatives):
    """An email that mail clients show as an invitation, with buttons and an automatic update of
    the calendar: the calendar is an alternative to the text, typed `text/calendar` with its
    method (RFC 6047), which is what Outlook and Gmail look for; the same file is attached too,
    for clients that only offer attachments."""

    def __init__(self, *, calendar_method: str, **kwargs):
        super().__init__(**kwargs)
        self.calendar_method = calendar_method

    @classmethod
    def with_calendar(cls, *, method: str, content: bytes, filename: str, **kwargs):
        message = cls(calendar_method=method, **kwargs)
        message.attach_alternative(content.decode(), "text/calendar")
        message.attach(filename, content, "application/ics")
        return message

    def message(self, **kwargs):
        message = super().message(**kwargs)
        # Django types an alternative without parameters, and the email package would quote
        # them; the method is what makes the part an invitation, so it is written as Outlook and
        # Gmail write their own: unquoted.
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                del part["Content-Type"]
                part.set_raw(
                    "Content-Type", f"text/calendar; method={self.calendar_method}; charset=UTF-8"
                )
        return message


def _content(value) -> dict:
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    return {"text": str(value)}


def _content_read(stored: dict):
    return base64.b64decode(stored["bytes"]) if "bytes" in stored else stored["text"]


def message_store(message: EmailMessage) -> dict:
    """The message as JSON, enough to build the same message again in a worker."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("The outbox stores attachments given as (filename, content, type).")
        filename, content, mimetype = attachment
        attachments.append({"filename": filename, "mimetype": mimetype, **_content(content)})
    return {
        "subject": str(message.subject),
        "body": message.body,
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {
            name: str(value)
            for name, value in message.extra_headers.items()
            if name not in OUTBOX_HEADERS
        },
        "alternatives": [
            {"mimetype": mimetype, **_content(content)}
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
        "calendar_method": getattr(message, "calendar_method", None),
    }


def message_load(stored: dict) -> EmailMultiAlternatives:
    fields = {
        "subject": stored["subject"],
        "body": stored["body"],
        "from_email": stored["from_email"],
        "to": stored["to"],
        "cc": stored["cc"],
        "bcc": stored["bcc"],
        "reply_to": stored["reply_to"],
        "headers": stored["headers"],
    }
    if stored.get("calendar_method"):
        message = InvitationMessage(calendar_method=stored["calendar_method"], **fields)
    else:
        message = EmailMultiAlternatives(**fields)
    message.content_subtype = stored.get("content_subtype", "plain")
    for alternative in stored["alternatives"]:
        message.attach_alternative(_content_read(alternative), alternative["mimetype"])
    for attachment in stored["attachments"]:
        message.attach(attachment["filename"], _content_read(attachment), attachment["mimetype"])
    return message


def message_id_make(key: str) -> str:
    """A Message-ID for the life of the message, made once when it is queued: every attempt
    sends the same one. Its domain is the portal's own (PORTAL_URL)."""
    domain = urlsplit(getattr(settings, "PORTAL_URL", "") or "").hostname or "cop-portal.invalid"
    return make_msgid(idstring=re.sub(r"[^A-Za-z0-9.-]", "-", key)[:60], domain=domain)


_UNSUBSCRIBE = re.compile(r"<(https?://[^>]+)>")
PORTAL_NAME = "CoP Portal"


def layout_apply(stored: dict) -> None:
    """Give a stored plain-text message the portal's layout in HTML as well: the same words (so
    the two never disagree), with the portal's name above them and, in every message that can be
    turned off, the unsubscribe link below. The HTML goes before any calendar part, which mail
    clients want last. A message that brings its own HTML keeps it."""
    if stored["content_subtype"] != "plain":
        return
    if any(alternative["mimetype"] == "text/html" for alternative in stored["alternatives"]):
        return
    found = _UNSUBSCRIBE.search(stored["headers"].get("List-Unsubscribe", ""))
    html = render_to_string(
        "email/layout.html",
        {
            "subject": stored["subject"],
            # The text is escaped first; only the paragraphs and links are markup.
            "content": mark_safe(linebreaks(urlize(escape(stored["body"])))),  # noqa: S308
            "unsubscribe_url": found.group(1) if found else "",
            "portal_name": PORTAL_NAME,
        },
    )
    stored["alternatives"].insert(0, {"mimetype": "text/html", "text": html})
