"""The daily email to organisers of what waits for them: the Organise page's "Waiting for you"
(members.selectors.home.organiser_waiting), by email. The workers run it each morning
(members.tasks.organiser_waiting_send, the organiser-waiting schedule).

It goes to a member holding a permission that list looks for, when something waits and the list
is not what their last one said (its counts and the sessions it names), so an organiser who has
not dealt with yesterday's work is not told it again each day. When nothing waits their last one
is forgotten: work that arrives after a quiet spell is announced. What it lists is what the
Organise page shows that organiser, so a caucus session is named only to one trusted with
caucus choices, and no member is named at all."""

import hashlib
import json
from datetime import date

from django.db import transaction
from django.utils import timezone

from cop_portal.mail.backends import outbox_collecting

from ..caching import member_forget
from ..models import User
from ..selectors.home import Waiting, organiser_waiting, organisers_waited_for
from .emails import member_email_send


def _fingerprint(waiting: list[Waiting]) -> str:
    said = [
        [item.label, item.count, [session.pk for session, _ in item.sessions]] for item in waiting
    ]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


def organiser_waiting_send(*, today: date | None = None) -> int:
    """Email each organiser what waits for them, if anything does and it has changed since
    their last such email; returns how many went."""
    today = today or timezone.localdate()
    sent = 0
    with outbox_collecting():
        for organiser in organisers_waited_for().iterator(chunk_size=200):
            waiting = organiser_waiting(user=organiser)
            fingerprint = _fingerprint(waiting) if waiting else ""
            if fingerprint == organiser.organiser_waiting_sent:
                continue
            # Marked in the transaction that queues the email: both happen or neither, and a
            # second worker (or a rerun) finds it marked and sends nothing.
            with transaction.atomic():
                marked = User.objects.filter(
                    pk=organiser.pk, organiser_waiting_sent=organiser.organiser_waiting_sent
                ).update(organiser_waiting_sent=fingerprint)
                member_forget(organiser.pk)
                if marked and waiting:
                    sent += member_email_send(
                        member=organiser,
                        subject=f"Waiting for you, {today:%-d %B %Y}",
                        template="members/email/organiser_waiting.txt",
                        context={
                            "waiting": waiting,
                            "organise_page": organiser.has_perm("members.view_reports"),
                        },
                        category="organiser_news",
                        key=f"organiser-waiting:{organiser.pk}:{today.isoformat()}:{fingerprint[:16]}",
                    )
    return sent
