"""Writes for conversation between sessions: posts in threads, following a thread, private
messages, and concerns raised under the ground rules with the organisers' decisions on them.

The limits below keep one member from flooding a thread, a colleague's inbox or the organisers'
queue; each refusal says what happened and when to try again. Nobody is emailed per post: new
posts reach followers in their digest (members.services.digests)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting
from cop_portal.web.portal_address import request_address, request_address_carried
from members.services import AuditAction, audit_record, member_email_send

from ..models import Concern, Follow, Message, Post, Thread
from ..selectors import conversation as selectors

POST_MAX_LENGTH = 5000
MESSAGE_MAX_LENGTH = 3000
REASON_MAX_LENGTH = 2000
POSTS_PER_HOUR = 20
MESSAGES_PER_DAY = 40
NEW_CORRESPONDENTS_PER_DAY = 10
CONCERNS_PER_DAY = 10


def _text(value: str, *, max_length: int, empty: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(empty)
    if len(text) > max_length:
        raise ValidationError(
            f"{what} is {len(text):,} characters long: the most is {max_length:,}. "
            "Shorten it and send it again."
        )
    return text


def thread_get_or_create(*, event=None, resource=None, space=None) -> Thread:
    """The thread on a session, a resource or a topic space, made on first use. Two members
    writing the first post at once get the same thread."""
    subject = {"event": event, "resource": resource, "space": space}
    subject = {name: value for name, value in subject.items() if value is not None}
    try:
        with transaction.atomic():
            thread, _ = Thread.objects.get_or_create(**subject)
    except IntegrityError:
        thread = Thread.objects.get(**subject)
    return thread


@transaction.atomic
def post_write(*, author, thread: Thread, body: str) -> Post:
    """Add `author`'s post to `thread` (which the caller has checked they may read), and follow
    the thread for them, so replies reach their digest."""
    body = _text(
        body, max_length=POST_MAX_LENGTH, empty="Write something before posting.", what="Your post"
    )
    if thread.space_id is not None and not thread.space.is_open:
        raise ValidationError("This space is closed to new posts; what was written stays here.")
    now = timezone.now()
    if selectors.recent_posts_by(member=author, since=now - timedelta(hours=1)) >= POSTS_PER_HOUR:
        raise ValidationError(
            f"You have written {POSTS_PER_HOUR} posts in the last hour, the most the portal "
            "takes. Your text is still in the box: post it a little later."
        )
    post = Post.objects.create(thread=thread, author=author, body=body, created_at=now)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    Follow.objects.get_or_create(member=author, thread=thread)
    return post


@transaction.atomic
def post_delete(*, author, post: Post) -> None:
    """An author takes back their own post."""
    if post.author_id != author.pk:
        raise PermissionDenied
    post.delete()


@transaction.atomic
def follow_set(*, member, thread: Thread, following: bool) -> None:
    if following:
        Follow.objects.get_or_create(member=member, thread=thread)
    else:
        Follow.objects.filter(member=member, thread=thread).delete()


# Messages ---------------------------------------------------------------------------------------


@transaction.atomic
def message_send(*, sender, recipient, body: str) -> Message:
    body = _text(
        body,
        max_length=MESSAGE_MAX_LENGTH,
        empty="Write a message before sending.",
        what="Your message",
    )
    if not selectors.may_message(sender=sender, recipient=recipient):
        raise ValidationError(
            "Messages can go only between members who are both listed in the directory and "
            "both accept messages. Your profile says whether you do."
        )
    now = timezone.now()
    sent, new_people = selectors.recent_messages_by(member=sender, since=now - timedelta(days=1))
    if sent >= MESSAGES_PER_DAY:
        raise ValidationError(
            f"You have sent {MESSAGES_PER_DAY} messages in the last day, the most the portal "
            "takes. Try again tomorrow."
        )
    first_to_them = not Message.objects.filter(sender=sender, recipient=recipient).exists()
    if first_to_them and new_people >= NEW_CORRESPONDENTS_PER_DAY:
        raise ValidationError(
            f"You have written to {NEW_CORRESPONDENTS_PER_DAY} new people in the last day, the "
            "most the portal takes. Try again tomorrow."
        )
    return Message.objects.create(sender=sender, recipient=recipient, body=body, sent_at=now)


def messages_mark_read(*, member, other) -> int:
    return Message.objects.filter(recipient=member, sender=other, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Concerns ---------------------------------------------------------------------------------------


def _concern_reason(reason: str) -> str:
    return _text(
        reason,
        max_length=REASON_MAX_LENGTH,
        empty="Say briefly what concerns you, so the organisers know what to look for.",
        what="What you wrote",
    )


def _concerns_left_today(member) -> None:
    since = timezone.now() - timedelta(days=1)
    if selectors.recent_concerns_by(member=member, since=since) >= CONCERNS_PER_DAY:
        raise ValidationError(
            f"You have raised {CONCERNS_PER_DAY} concerns in the last day. The organisers will "
            "read them; if something is urgent, contact them directly."
        )


@transaction.atomic
def concern_raise_about_post(*, member, post: Post, reason: str) -> Concern:
    """Raise a concern about a post (which the caller has checked `member` may read). The post
    is hidden from everyone but its author until an organiser has decided, unless an organiser
    has already read it and kept it."""
    reason = _concern_reason(reason)
    if post.author_id == member.pk:
        raise ValidationError("This is your own post: you can delete it instead.")
    if Concern.objects.filter(post=post, raised_by=member).exists():
        raise ValidationError(
            "You have already raised a concern about this post: the organisers will look at it."
        )
    _concerns_left_today(member)
    concern = Concern.objects.create(post=post, raised_by=member, reason=reason)
    Post.objects.filter(pk=post.pk, status=Post.Status.VISIBLE, kept_at__isnull=True).update(
        status=Post.Status.UNDER_REVIEW
    )
    return concern


@transaction.atomic
def concern_raise_about_message(*, member, message: Message, reason: str) -> Concern:
    """The recipient of a message raises a concern about it; the organisers read it."""
    reason = _concern_reason(reason)
    if message.recipient_id != member.pk:
        raise PermissionDenied
    if Concern.objects.filter(message=message, raised_by=member).exists():
        raise ValidationError(
            "You have already raised a concern about this message: the organisers will look at it."
        )
    _concerns_left_today(member)
    return Concern.objects.create(message=message, raised_by=member, reason=reason)


@transaction.atomic
def concern_decide(*, moderator, target: Post | Message, outcome: str, note: str = "") -> int:
    """Decide every open concern about `target`: keep it (shown again, and no later concern
    hides it) or remove it (the author of a post is told by email). Returns how many concerns
    were decided."""
    if outcome not in Concern.Outcome.values:
        raise ValidationError("Choose whether to keep it or remove it.")
    note = (note or "").strip()
    if len(note) > REASON_MAX_LENGTH:
        raise ValidationError(f"The note is too long: the most is {REASON_MAX_LENGTH:,} characters")
    is_post = isinstance(target, Post)
    target = type(target).objects.select_for_update().get(pk=target.pk)
    if is_post and not selectors.may_moderate_thread(user=moderator, thread=target.thread):
        raise PermissionDenied
    now = timezone.now()
    decided = Concern.objects.filter(
        decided_at__isnull=True, **({"post": target} if is_post else {"message": target})
    ).update(decided_at=now, decided_by=moderator, outcome=outcome, note=note)
    if not decided:
        raise ValidationError("Another organiser has already decided on this.")
    # On the audit trail, which outlives the post, the message and both accounts: who decided,
    # on which record, what and for how many concerns; never the words or the note.
    audit_record(
        moderator,
        AuditAction.CONCERNS_DECIDED,
        target=target,
        detail=f"{outcome}; {decided} concern{'s' if decided != 1 else ''}",
    )
    if is_post:
        if outcome == Concern.Outcome.KEPT:
            target.status, target.kept_at = Post.Status.VISIBLE, now
            target.save(update_fields=["status", "kept_at"])
        else:
            target.status = Post.Status.REMOVED
            target.save(update_fields=["status"])
            # Queued in this transaction: a decision rolled back tells the author nothing.
            post_removed_email_send.enqueue(target.pk, portal_base=request_address())
    elif outcome == Concern.Outcome.REMOVED:
        target.removed_at = now
        target.save(update_fields=["removed_at"])
    return decided


@task
@request_address_carried
@transaction.atomic
def post_removed_email_send(post_id: int) -> bool:
    """Tell a post's author that the organisers removed it: essential, as it is about their own
    words. The email names the thread only by its kind; the post and the organisers' note are
    on the portal, behind sign-in."""
    post = Post.objects.select_related("author", "thread").filter(pk=post_id).first()
    if post is None or post.status != Post.Status.REMOVED:
        return False
    author = post.author
    if author.erased_at is not None or not author.is_active:
        return False
    with outbox_collecting():
        return member_email_send(
            member=author,
            subject="One of your posts was removed under the ground rules",
            template="resources/email/post_removed.txt",
            context={"post": post},
            key=f"post-removed:{post.pk}",
        )
