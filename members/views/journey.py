"""The members' side of "from learning to action": their actions and their journey check-ins.

A member's actions and check-ins are private to them: every view fetches through
`member_own_actions`, so another member's action answers 404."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods

from ..forms.journey import VALUE_CYCLE_LABELS, ActionForm, ActionUpdateForm, CheckInForm
from ..models import JOURNEY_STAGE_DESCRIPTIONS, Action, JourneyStage
from ..selectors import journey as selectors
from ..services import journey as services

SHARED_PAGE_SIZE = 20


def _own_action(request, pk):
    return get_object_or_404(selectors.member_own_actions(member=request.user), pk=pk)


@require_GET
def actions(request):
    return render(
        request,
        "members/journey/actions.html",
        {"actions": selectors.member_actions(member=request.user)},
    )


@require_http_methods(["GET", "POST"])
def action_new(request):
    form = ActionForm(
        request.POST or None, member=request.user, initial_event=request.GET.get("event")
    )
    return _action_form(request, form, action=Action(), title="Record an action")


@require_http_methods(["GET", "POST"])
def action_from_session(request, slug):
    """The "record one action from today" link in the email after a session: a new action
    already tied to it. Any session the member was not recorded at (or a caucus session whose
    caucus they are not in) answers 404, as if it did not exist."""
    event = selectors.session_attended_get(slug=slug, member=request.user)
    if event is None:
        raise Http404("No such session among those you came to.")
    form = ActionForm(request.POST or None, member=request.user, session=event)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_from_session_save(
                member=request.user, event=event, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Your action is saved.")
            return redirect("members:action_detail", pk=action.pk)
    return render(
        request,
        "members/journey/action_form.html",
        {"form": form, "title": "Record one action from today", "action": Action(),
         "from_session": event},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    action = _own_action(request, pk)
    form = ActionForm(request.POST or None, instance=action, member=request.user)
    return _action_form(request, form, action=action, title="Change your action")


def _action_form(request, form, *, action, title):
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_save(action=action, member=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Your action is saved.")
            return redirect("members:action_detail", pk=action.pk)
    return render(
        request,
        "members/journey/action_form.html",
        {"form": form, "title": title, "action": action},
    )


@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    action = _own_action(request, pk)
    form = ActionUpdateForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_status_update(action=action, **form.cleaned_data)
        except ValidationError as error:
            action.refresh_from_db()  # the service set the new status before it was refused
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Your action is now “{action.get_status_display()}”.")
            return redirect("members:action_detail", pk=action.pk)
    return render(
        request,
        "members/journey/action_detail.html",
        {
            "action": action,
            "updates": action.updates.all(),
            "value_label": VALUE_CYCLE_LABELS.get(action.value_cycle, ""),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def action_delete(request, pk):
    action = _own_action(request, pk)
    if request.method == "POST":
        services.action_delete(action=action, member=request.user)
        messages.success(request, "Your action is deleted.")
        return redirect("members:actions")
    return render(request, "members/journey/action_delete.html", {"action": action})


@require_GET
def actions_shared(request):
    page = Paginator(selectors.actions_shared(), SHARED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/journey/actions_shared.html", {"page": page})


@require_http_methods(["GET", "POST"])
def journey(request):
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_record(member=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Your check-in is saved. Only you can see it.")
            return redirect("members:journey")
    path = selectors.member_journey(member=request.user)
    if not form.is_bound and path.last is not None:
        form.initial["stage"] = path.last.stage
    return render(
        request,
        "members/journey/journey.html",
        {
            "form": form,
            "path": path,
            "chart": journey_chart(path.check_ins),
            "stages": [(stage.label, JOURNEY_STAGE_DESCRIPTIONS[stage]) for stage in JourneyStage],
        },
    )


# The journey chart: drawn on the server as SVG, so it needs no script and no inline style.


@dataclass(frozen=True)
class JourneyChart:
    width: int
    height: int
    path: str  # the step line: each stage held until the next check-in, the last until today
    points: list  # (x, y) of each check-in
    grid: list  # (y, stage name) for each stage
    x_axis_y: int
    plot_left: int
    plot_right: int
    first_label: str
    last_label: str


CHART_WIDTH, CHART_HEIGHT = 640, 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 180, 20, 20, 40


def journey_chart(check_ins, *, today=None) -> JourneyChart | None:
    """Geometry for a step chart of stage over time, or None without any check-ins."""
    if not check_ins:
        return None
    today = today or timezone.localdate()
    ordered = sorted(check_ins, key=lambda c: (c.created_at, c.pk))
    days = [timezone.localdate(c.created_at) for c in ordered]
    start, end = days[0], max(today, days[-1])
    span = (end - start).days
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    top_stage, bottom_stage = max(JourneyStage.values), min(JourneyStage.values)
    stage_gap = plot_height / (top_stage - bottom_stage)

    def x(day):
        return round(CHART_LEFT + ((day - start).days / span * plot_width if span else 0), 1)

    def y(stage):
        return round(CHART_TOP + (top_stage - stage) * stage_gap, 1)

    points = [(x(day), y(c.stage)) for day, c in zip(days, ordered, strict=True)]
    steps = [f"M {points[0][0]} {points[0][1]}"]
    steps += [f"H {px} V {py}" for px, py in points[1:]]
    steps.append(f"H {x(end)}")
    return JourneyChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        path=" ".join(steps),
        points=points,
        grid=[(y(stage), stage.label) for stage in JourneyStage],
        x_axis_y=CHART_HEIGHT - CHART_BOTTOM + 24,
        plot_left=CHART_LEFT,
        plot_right=CHART_WIDTH - CHART_RIGHT,
        first_label=dateformat.format(start, "j M Y"),
        last_label="Today" if end == today else dateformat.format(end, "j M Y"),
    )
