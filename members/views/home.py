"""The front pages: the public landing page, a member's home (joining steps still to take, and
what is coming up for them across the portal) and the organisers' index."""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cop_portal.background.schedules import late_schedules

from ..middleware import ground_rules_status_of
from ..models import ContentPage
from ..selectors.home import home_page, organiser_waiting, visitor_home_page
from ..selectors.onboarding import content_page_get


@login_not_required
@require_GET
def home(request):
    if not request.user.is_authenticated:
        introduction = content_page_get(slug=ContentPage.INTRODUCTION)
        return render(
            request,
            "members/landing.html",
            {"introduction": introduction, "page": visitor_home_page()},
        )
    status = ground_rules_status_of(request)
    page = home_page(member=request.user, ground_rules=status)
    return render(
        request,
        "members/home.html",
        {
            "steps": page.steps,
            "steps_done": page.steps_done,
            "ground_rules": status,
            "upcoming": page.upcoming,
            "surveys": page.surveys,
            "action_summary": page.action_summary,
        },
    )


@permission_required("members.view_reports", raise_exception=True)
@require_GET
def organise(request):
    context = {
        "late_schedules": late_schedules(),
        "waiting": organiser_waiting(user=request.user),
    }
    return render(request, "members/organise/index.html", context)
