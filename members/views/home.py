"""The front pages: the public landing page, a member's home (joining steps still to take, and
what is coming up for them across the portal) and the organisers' index."""

from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from cop_portal.background.schedules import late_schedules

from ..caching import member_page_kept
from ..middleware import ground_rules_status_of
from ..models import ContentPage
from ..selectors.home import home_kept_under, home_page, organiser_waiting, visitor_home_page
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
    now = timezone.now()
    content = member_page_kept(
        member_pk=request.user.pk,
        part="home",
        under=home_kept_under(request.user.pk),
        variant=(status.current_version, status.agreed_version),
        now=now,
        build=lambda: _home_content(request.user, status, now),
    )
    return render(request, "members/home.html", {"content": content})


def _home_content(member, ground_rules, now):
    """The member's home page below the header, to be kept for them alone: it holds no form,
    so no CSRF token."""
    page = home_page(member=member, ground_rules=ground_rules, now=now)
    context = {
        "member": member,
        "steps": page.steps,
        "steps_done": page.steps_done,
        "ground_rules": ground_rules,
        "upcoming": page.upcoming,
        "surveys": page.surveys,
        "action_summary": page.action_summary,
    }
    return render_to_string("members/home.html#content", context), page.valid_until


@permission_required("members.view_reports", raise_exception=True)
@require_GET
def organise(request):
    context = {
        "late_schedules": late_schedules(),
        "waiting": organiser_waiting(user=request.user),
    }
    return render(request, "members/organise/index.html", context)
