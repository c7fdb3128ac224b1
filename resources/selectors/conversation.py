"""Reads for conversation between sessions: the threads on sessions, resources and topic spaces,
private messages between members, and the organisers' queue of concerns.

Who may read a thread is decided here and nowhere else (`readable_threads`, and the three
`*_for_thread` look-ups): a topic space's thread is for every member; a session's for every
member unless it is a caucus session, whose thread is for that caucus's members only (nobody
else: not organisers, not the steering group); a resource's thread for whoever may see the
resource. A post hidden while it is reviewed, or removed, is shown to its author alone."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q

from events.models import CAUCUS_CHOICE_PERMISSION, Event
from events.selectors import member_caucus_id
from members.models import User

from ..models import Concern, Follow, Message, Post, Resource, Space, Thread
from .hub import resources_visible_to

# Posts a thread page shows at once; older ones are a page away.
THREAD_PAGE_SIZE = 50
RECENT_THREADS = 10


def _sessions_readable(user):
    """Sessions whose threads `user` may read: published or cancelled, and a caucus session
    only for its own caucus."""
    events = Event.objects.exclude(status=Event.Status.DRAFT)
    caucus_id = member_caucus_id(user)
    allowed = Q(caucus__isnull=True)
    if caucus_id is not None:
        allowed |= Q(caucus_id=caucus_id)
    return events.filter(allowed)


def readable_threads(user):
    """Every thread `user` may read."""
    if not user.is_authenticated:
        return Thread.objects.none()
    return Thread.objects.filter(
        Q(space__isnull=False)
        | Q(event__in=_sessions_readable(user))
        | Q(resource__in=resources_visible_to(user))
    )


def session_for_thread(*, user, slug: str) -> Event | None:
    return _sessions_readable(user).filter(slug=slug).first()


def resource_for_thread(*, user, slug: str) -> Resource | None:
    return resources_visible_to(user).filter(slug=slug).first()


def conversation_spaces():
    return Space.objects.all()


def posts_exist() -> bool:
    return Post.objects.exists()


def space_get(*, slug: str) -> Space | None:
    return Space.objects.filter(slug=slug).first()


def thread_of(*, event=None, resource=None, space=None) -> Thread | None:
    if event is not None:
        return Thread.objects.filter(event=event).first()
    if resource is not None:
        return Thread.objects.filter(resource=resource).first()
    return Thread.objects.filter(space=space).first()


def _shown_to(viewer) -> Q:
    """Posts a reader sees: those shown, and their own whatever became of them."""
    return Q(status=Post.Status.VISIBLE) | Q(author=viewer)


def thread_posts(*, thread: Thread | None, viewer):
    if thread is None:
        return Post.objects.none()
    return (
        thread.posts.filter(_shown_to(viewer))
        .select_related("author", "author__organisation")
        .order_by("created_at", "pk")
    )


def is_following(*, member, thread: Thread | None) -> bool:
    return thread is not None and Follow.objects.filter(member=member, thread=thread).exists()


def post_of_reader(*, user, pk: int) -> Post | None:
    """A post `user` may see, in a thread they may read, or None."""
    return (
        Post.objects.filter(_shown_to(user), pk=pk, thread__in=readable_threads(user))
        .select_related("thread", "thread__event", "thread__resource", "thread__space")
        .first()
    )


@dataclass(frozen=True)
class SpaceRow:
    space: Space
    posts: int
    last_post_at: datetime | None


def spaces_with_counts() -> list[SpaceRow]:
    spaces = Space.objects.annotate(
        shown=Count("thread__posts", filter=Q(thread__posts__status=Post.Status.VISIBLE)),
        last=Max("thread__last_post_at"),
    )
    return [SpaceRow(space, space.shown, space.last) for space in spaces]


def recent_threads(*, user, limit: int = RECENT_THREADS) -> list[Thread]:
    """The threads `user` may read that were written in most recently, each with `shown`: the
    number of posts shown in it."""
    return list(
        readable_threads(user)
        .filter(last_post_at__isnull=False)
        .annotate(shown=Count("posts", filter=Q(posts__status=Post.Status.VISIBLE)))
        .filter(shown__gt=0)
        .select_related("event", "resource", "space")
        .order_by("-last_post_at", "-pk")[:limit]
    )


def posts_count_in(*, thread: Thread | None) -> int:
    if thread is None:
        return 0
    return thread.posts.filter(status=Post.Status.VISIBLE).count()


# The digest -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadNews:
    thread: Thread
    new_posts: int


def followed_news(*, member, since: datetime) -> list[ThreadNews]:
    """Threads `member` follows and may still read, with the number of posts shown that others
    wrote after `since`; threads with none are left out."""
    threads = (
        readable_threads(member)
        .filter(follows__member=member, last_post_at__gt=since)
        .annotate(
            new=Count(
                "posts",
                filter=Q(
                    posts__status=Post.Status.VISIBLE,
                    posts__created_at__gt=since,
                )
                & ~Q(posts__author=member),
            )
        )
        .filter(new__gt=0)
        .select_related("event", "resource", "space")
        .order_by("-last_post_at", "-pk")
    )
    return [ThreadNews(thread, thread.new) for thread in threads]


# Messages ---------------------------------------------------------------------------------------


def _open_to_messages(user) -> bool:
    return bool(user.is_active and user.listed_in_directory and user.directory_accepts_messages)


def may_message(*, sender, recipient) -> bool:
    """Whether `sender` may write to `recipient`: two different members, both active, both
    listed in the directory and both accepting messages."""
    return sender.pk != recipient.pk and _open_to_messages(sender) and _open_to_messages(recipient)


def message_recipient(*, sender, pk: int) -> User | None:
    """The member `sender` may write to (or read their conversation with), or None. A member
    who has stopped accepting messages keeps the conversation readable for both."""
    other = User.objects.filter(pk=pk, is_active=True).select_related("organisation").first()
    if other is None or other.pk == sender.pk:
        return None
    if may_message(sender=sender, recipient=other):
        return other
    return other if messages_between(member=sender, other=other).exists() else None


def messages_between(*, member, other):
    """Their conversation, oldest first; a message removed after a concern is left out for both."""
    return (
        Message.objects.filter(
            Q(sender=member, recipient=other) | Q(sender=other, recipient=member),
            removed_at__isnull=True,
        )
        .select_related("sender")
        .order_by("sent_at", "pk")
    )


@dataclass(frozen=True)
class Correspondent:
    member: User
    last_at: datetime
    unread: int


def correspondents(*, member) -> list[Correspondent]:
    """Everyone `member` has exchanged messages with, most recent first."""
    sent = (
        Message.objects.filter(sender=member, removed_at__isnull=True)
        .values("recipient")
        .annotate(last=Max("sent_at"))
    )
    received = (
        Message.objects.filter(recipient=member, removed_at__isnull=True)
        .values("sender")
        .annotate(
            last=Max("sent_at"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
        )
    )
    latest: dict[int, datetime] = {}
    unread: dict[int, int] = {}
    for row in sent:
        latest[row["recipient"]] = row["last"]
    for row in received:
        other = row["sender"]
        latest[other] = max(latest.get(other, row["last"]), row["last"])
        unread[other] = row["unread"]
    people = User.objects.in_bulk(list(latest))
    rows = [
        Correspondent(people[pk], last, unread.get(pk, 0))
        for pk, last in latest.items()
        if pk in people and people[pk].is_active
    ]
    return sorted(rows, key=lambda row: row.last_at, reverse=True)


def unread_messages_count(*, member, since: datetime | None = None) -> int:
    """Messages `member` has not read yet (those sent after `since`, if given)."""
    unread = Message.objects.filter(
        recipient=member, read_at__isnull=True, removed_at__isnull=True, sender__is_active=True
    )
    if since is not None:
        unread = unread.filter(sent_at__gt=since)
    return unread.count()


def message_of_recipient(*, member, pk: int) -> Message | None:
    """A message `member` received (the only one who may raise a concern about it)."""
    return (
        Message.objects.filter(pk=pk, recipient=member, removed_at__isnull=True)
        .select_related("sender")
        .first()
    )


# The organisers' queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """One post or message with open concerns. `readable` is false for a post in a caucus
    thread the moderator may not read: the queue says it is there, not what it says."""

    post: Post | None
    message: Message | None
    concerns: list[Concern]
    readable: bool

    @property
    def kind(self) -> str:
        return "post" if self.post else "message"

    @property
    def pk(self) -> int:
        return (self.post or self.message).pk


def may_moderate_thread(*, user, thread: Thread) -> bool:
    """Whether a moderator may read a reported post: a caucus's thread (its session's, or one
    of its session's materials') only by a member of that caucus or someone trusted with caucus
    choices."""
    caucus_id = thread.caucus_id
    if caucus_id is None:
        return True
    return user.has_perm(CAUCUS_CHOICE_PERMISSION) or member_caucus_id(user) == caucus_id


def concerns_waiting(*, user) -> list[Waiting]:
    """Open concerns, oldest first, one row per post or message."""
    open_concerns = (
        Concern.objects.filter(decided_at__isnull=True)
        .select_related(
            "raised_by",
            "post",
            "post__author",
            "post__thread",
            "post__thread__event",
            "post__thread__resource__event",
            "post__thread__resource",
            "post__thread__space",
            "message",
            "message__sender",
            "message__recipient",
        )
        .order_by("raised_at", "pk")
    )
    rows: dict[tuple[str, int], list[Concern]] = {}
    for concern in open_concerns:
        key = ("post", concern.post_id) if concern.post_id else ("message", concern.message_id)
        rows.setdefault(key, []).append(concern)
    waiting = []
    for concerns in rows.values():
        first = concerns[0]
        if first.post_id:
            readable = may_moderate_thread(user=user, thread=first.post.thread)
            waiting.append(Waiting(first.post, None, concerns, readable))
        else:
            waiting.append(Waiting(None, first.message, concerns, True))
    return waiting


def concerns_waiting_count() -> int:
    posts = (
        Concern.objects.filter(decided_at__isnull=True, post__isnull=False)
        .values("post")
        .distinct()
        .count()
    )
    messages = (
        Concern.objects.filter(decided_at__isnull=True, message__isnull=False)
        .values("message")
        .distinct()
        .count()
    )
    return posts + messages


def concern_target(*, kind: str, pk: int) -> Post | Message | None:
    """The post or message an organiser is deciding on, if a concern about it is open."""
    model = Post if kind == "post" else Message
    found = model.objects.filter(pk=pk, concerns__decided_at__isnull=True).distinct()
    if model is Post:
        found = found.select_related("thread__event", "thread__resource__event")
    return found.first()


def concern_target_exists(*, kind: str, pk: int) -> bool:
    """Whether a concern was ever raised about that post or message (decided since, perhaps)."""
    model = Post if kind == "post" else Message
    return model.objects.filter(pk=pk, concerns__isnull=False).exists()


def recent_concerns_by(*, member, since: datetime) -> int:
    return Concern.objects.filter(raised_by=member, raised_at__gte=since).count()


def recent_posts_by(*, member, since: datetime) -> int:
    return Post.objects.filter(author=member, created_at__gte=since).count()


def recent_messages_by(*, member, since: datetime) -> tuple[int, int]:
    """Messages `member` sent since `since`, and to how many people they had not written to
    before that."""
    sent = Message.objects.filter(sender=member, sent_at__gte=since)
    earlier = Message.objects.filter(sender=member, sent_at__lt=since).values("recipient")
    new_people = sent.exclude(recipient__in=earlier).values("recipient").distinct().count()
    return sent.count(), new_people
