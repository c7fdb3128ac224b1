"""The organisers' Outgoing email page: how the outbox is doing, and a way to send failures
again. It shows what kind of message each was and why it failed, never to whom or what it said:
a list of who was sent what, when, would tell an organiser who booked which caucus session."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from .delivery import failed_retry
from .models import MailServer, OutgoingEmail
from .selectors import failed_count

SHOWN_DAYS = 30
FAILURES_SHOWN = 50
STATUSES = [s for s in OutgoingEmail.Status if s != OutgoingEmail.Status.SENDING]


def kind_label(kind: str) -> str:
    """`events/email/registration_confirmed.txt` reads "Registration confirmed"."""
    name = kind.rsplit("/", 1)[-1].split(".", 1)[0].replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:] if name else "Other"


@permission_required("mail.view_outgoingemail", raise_exception=True)
@require_GET
def outgoing_email(request):
    now = timezone.now()
    recent = OutgoingEmail.objects.filter(created_at__gte=now - timedelta(days=SHOWN_DAYS))
    by_kind: dict[str, dict[str, int]] = {}
    for row in recent.values("kind", "status").annotate(count=Count("pk")):
        status = row["status"]
        if status == OutgoingEmail.Status.SENDING:
            status = OutgoingEmail.Status.QUEUED
        counts = by_kind.setdefault(kind_label(row["kind"]), dict.fromkeys(STATUSES, 0))
        counts[status] += row["count"]
    totals = {status: sum(c[status] for c in by_kind.values()) for status in STATUSES}
    failures = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED)
        .only("kind", "created_at", "failed_at", "attempts", "reason", "retries", "message")
        .order_by("-failed_at", "-pk")[:FAILURES_SHOWN]
    )
    for failure in failures:
        failure.label = kind_label(failure.kind)
        failure.can_retry = bool(failure.message)
    context = {
        "days": SHOWN_DAYS,
        "statuses": [(status, status.label) for status in STATUSES],
        "kinds": [
            (label, [counts[status] for status in STATUSES])
            for label, counts in sorted(by_kind.items())
        ],
        "totals": [totals[status] for status in STATUSES],
        "failures": failures,
        "failed_count": failed_count(),
        "server": MailServer.objects.filter(pk=1, down_since__isnull=False).first(),
        "can_retry": request.user.has_perm("mail.retry_outgoingemail"),
    }
    return render(request, "mail/outgoing_email.html", context)


@permission_required("mail.retry_outgoingemail", raise_exception=True)
@require_POST
def outgoing_email_retry(request):
    chosen = request.POST.get("email")
    if chosen == "all":
        count = failed_retry()
    elif chosen and chosen.isdigit():
        count = failed_retry(ids=[int(chosen)])
    else:
        count = 0
    if count:
        messages.success(
            request, f"{count} email{'s' if count != 1 else ''} will be sent again shortly."
        )
    else:
        messages.info(request, "There was nothing to send again: it may have been sent already.")
    return redirect("outgoing_email")
