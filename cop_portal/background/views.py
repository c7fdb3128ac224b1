from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .schedules import statuses


def _age(moment, now) -> int | None:
    return None if moment is None else int((now - moment).total_seconds())


@login_not_required
@require_safe
@never_cache
def schedules_health(request):
    """For monitoring (not the load balancer's `/health/`: a late reminder must not take web
    servers out of service): 200 when every schedule has succeeded recently enough, 503 when one
    is late. It gives schedule names and ages in seconds, nothing else."""
    now = timezone.now()
    found = statuses(now)
    late = [status.name for status in found if status.late]
    return JsonResponse(
        {
            "status": "late" if late else "ok",
            "late": late,
            "schedules": {
                status.name: {
                    "last_ran_seconds_ago": _age(status.last_ran, now),
                    "last_succeeded_seconds_ago": _age(status.last_succeeded, now),
                }
                for status in found
            },
        },
        status=503 if late else 200,
    )
