"""The organisers' Background work page: the schedules and whether any is late, the tasks
waiting or waiting to be tried again, and the failed ones, each with a "Try again" button."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cop_portal.background.selectors import SHOWN, background_work

from ..services.background import background_tasks_retry

NOTHING_TO_RETRY = "Nothing to try again: that task is no longer in the failed list."


def _task_id(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


@permission_required("background.view_background_work", raise_exception=True)
@require_http_methods(["GET", "POST"])
def background(request):
    if request.method == "POST":
        return _retry(request)
    return render(
        request,
        "members/organise/background.html",
        {"work": background_work(), "shown": SHOWN},
    )


def _retry(request):
    if not request.user.has_perm("background.retry_background_task"):
        raise PermissionDenied
    chosen = request.POST.get("retry")
    if chosen == "all":
        retried = background_tasks_retry(request)
    elif (task_id := _task_id(chosen)) is not None:
        retried = background_tasks_retry(request, task_id=task_id)
    else:
        retried = 0
    if retried:
        what = "task is back in the queue" if retried == 1 else "tasks are back in the queue"
        messages.success(request, f"{retried} {what}: a worker runs it as soon as one is free.")
    else:
        messages.info(request, NOTHING_TO_RETRY)
    return redirect("members:background")
