"""The digest, and the once-only nudge to members who came to one session and did not book
again. The workers run both daily (members.tasks.digests_send, the member-digests schedule).

When a digest goes: a monthly one on the 1st of the month, a fortnightly one on the 1st and the
15th, in the daily run at DIGEST_TIME. If the workers were stopped that day, the next run sends
it, up to SEND_DAYS days into its period; after that the period's digest is skipped, as its
news is stale. A digest with no news is not sent (and tomorrow's run looks again). Its news
starts where the member's last digest ended, and no earlier than the start of the period before
(a member who has just switched the digest back on is not sent a year of news).

The nudge goes once ever, to a member whose only attendance is at a session that ended
DIGEST_NUDGE_WEEKS weeks ago or more (counted in days: the run on the day N weeks after it) and
who holds no place at any later session (a cancelled one does not count), with the next
NUDGE_SESSIONS sessions that match them; not if none does (a later run may find one). The
digest's preference governs it: "none" sends neither. It waits a day for a member who got their
digest that morning, so nobody gets both at once."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting

from ..caching import member_forget
from ..models import DigestFrequency, User
from ..selectors import digests as selectors
from ..selectors.accounts import unclaimed_members
from .emails import member_email_send

# The schedule's time of day: a run for a given `today` (as the tests simulate) acts as if at it.
DIGEST_TIME = time(9, 0)
SEND_DAYS = 7
MEMBERS_AT_ONCE = 500


def _moment(today: date | None) -> datetime:
    if today is None:
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, DIGEST_TIME))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)))


def digest_period_start(*, day: date, frequency: str) -> date:
    """The first day of the digest period `day` falls in: the 1st of the month, or for a
    fortnightly digest the 1st or the 15th."""
    if frequency == DigestFrequency.FORTNIGHTLY and day.day >= 15:
        return day.replace(day=15)
    return day.replace(day=1)


def _previous_period_start(start: date, frequency: str) -> date:
    if frequency == DigestFrequency.FORTNIGHTLY:
        if start.day == 15:
            return start.replace(day=1)
        return (start - timedelta(days=1)).replace(day=15)
    return (start - timedelta(days=1)).replace(day=1)


def _members_emailed():
    """Members who may get the digest or the nudge: active, with an address, who have claimed
    their account, and whose digest is on. member_email_send asks the same again."""
    return (
        User.objects.filter(is_active=True, erased_at__isnull=True)
        .exclude(email="")
        .exclude(email_digest=DigestFrequency.NONE)
        .exclude(unclaimed_members())
    )


def digests_send(*, today: date | None = None) -> int:
    """Send each member whose digest period has come their digest, once per period; returns how
    many went."""
    now = _moment(today)
    today = timezone.localdate(now)
    due = Q(pk__in=[])
    starts = {}
    for frequency in (DigestFrequency.MONTHLY, DigestFrequency.FORTNIGHTLY):
        start = digest_period_start(day=today, frequency=frequency)
        if (today - start).days >= SEND_DAYS:
            continue
        starts[frequency] = start
        due |= Q(email_digest=frequency) & (
            Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lt=_day_start(start))
        )
    if not starts:
        return 0
    members = _members_emailed().filter(due).prefetch_related("interests").order_by("pk")
    upcoming = selectors.sessions_coming_up(now=now)
    sent = 0
    with outbox_collecting():
        for member in members.iterator(chunk_size=MEMBERS_AT_ONCE):
            start = starts[member.email_digest]
            opened = _day_start(_previous_period_start(start, member.email_digest))
            since = max(member.digest_sent_at or opened, opened)
            digest = selectors.member_digest(member=member, since=since, now=now, upcoming=upcoming)
            if not digest:
                continue
            # Marked in the transaction that queues the email: both happen, or neither, and a
            # second worker (or a rerun) finds it marked and sends nothing.
            with transaction.atomic():
                marked = (
                    User.objects.filter(pk=member.pk, email_digest=member.email_digest)
                    .filter(
                        Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lt=_day_start(start))
                    )
                    .update(digest_sent_at=now)
                )
                member_forget(member.pk)
                if marked and member_email_send(
                    member=member,
                    # The period's first day names it: each digest stands apart in the inbox.
                    subject=f"Your CoP digest, {start:%-d %B %Y}",
                    template="members/email/digest.txt",
                    context={"digest": digest, "since": since},
                    category="digest",
                    key=f"digest:{member.pk}:{start.isoformat()}",
                ):
                    sent += 1
    return sent


def once_only_nudges_send(*, today: date | None = None) -> int:
    """Send the once-only nudge to each member it is due to; returns how many went."""
    now = _moment(today)
    today = timezone.localdate(now)
    # Whole days: the run on the day N weeks after the session, whatever hour it ended.
    weeks_ago = today - timedelta(weeks=settings.DIGEST_NUDGE_WEEKS)
    ended_before = _day_start(weeks_ago + timedelta(days=1))
    candidates = (
        selectors.once_only_candidates(ended_before=ended_before)
        .filter(pk__in=_members_emailed().values("pk"), once_only_nudge_sent_at__isnull=True)
        .exclude(digest_sent_at__gte=_day_start(today))
        .prefetch_related("interests")
    )
    upcoming = None
    sent = 0
    with outbox_collecting():
        for member in candidates:
            if selectors.booked_since(member=member, start=member.came_to):
                continue
            if upcoming is None:
                upcoming = selectors.sessions_coming_up(now=now, weeks=None)
            split = selectors.member_sessions(member=member, upcoming=upcoming)
            # Someone who has told us no interests and no sector (every imported member, at
            # first) is matched by any session they may come to: the next ones.
            told_us = member.sector or member.interests.all()
            sessions = (
                split.matched
                if told_us
                else sorted(split.matched + split.others, key=lambda event: event.starts_at)
            )
            if not sessions:
                continue
            with transaction.atomic():
                marked = User.objects.filter(
                    pk=member.pk, once_only_nudge_sent_at__isnull=True
                ).update(once_only_nudge_sent_at=now)
                member_forget(member.pk)
                if marked and member_email_send(
                    member=member,
                    subject="The next CoP sessions, for you",
                    template="members/email/once_only_nudge.txt",
                    context={
                        "matched": bool(told_us),
                        "came_to": selectors.session_attended(member=member),
                        "sessions": sessions[: selectors.NUDGE_SESSIONS],
                    },
                    category="digest",
                    key=f"once-only-nudge:{member.pk}",
                ):
                    sent += 1
    return sent
