"""The organisers' People pages: the member list (with its CSV), a member's page, and giving and
taking away the organiser and steering-group roles."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cop_portal.web.downloads import csv_download
from cop_portal.web.time import LONDON

from ..forms.people import MemberListFilterForm, RoleChangeForm
from ..models import User
from ..selectors import people as selectors
from ..services import people as services

VIEW = "members.view_user"
PAGE_SIZE = 50


@permission_required(VIEW, raise_exception=True)
@never_cache
@require_GET
def people(request):
    form = MemberListFilterForm(request.GET or None)
    members = selectors.member_list(form.filters())
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    for member in page:
        member.roles = selectors.member_roles(member)
        member.status = selectors.member_status(member)
        member.status_label = selectors.STATUS_LABELS[member.status]
    query = request.GET.copy()
    query.pop("page", None)
    csv_url = reverse("members:people_csv") + (f"?{query.urlencode()}" if query else "")
    return render(
        request,
        "members/organise/people.html",
        {
            "form": form,
            "page": page,
            "csv_url": csv_url,
        },
    )


@permission_required(VIEW, raise_exception=True)
@never_cache
@require_GET
def people_csv(request):
    form = MemberListFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Some filters were not right, so nothing was downloaded.")
        return redirect(reverse("members:people") + f"?{request.GET.urlencode()}")
    filters = form.filters()
    rows = selectors.member_list_rows(selectors.member_list(filters))
    services.member_list_export_record(request=request, rows=len(rows), filters=filters.described())
    today = timezone.now().astimezone(LONDON).date()
    response, write = csv_download(f"cop-members-{today.isoformat()}.csv")
    write(*selectors.CSV_HEADER)
    for row in rows:
        write(*row)
    return response


def _page_context(request, member):
    page = selectors.member_page(member=member, viewer=request.user)
    return {
        "page": page,
        "member": member,
        "status_label": selectors.STATUS_LABELS[page.status],
        "managed_roles": [
            (key, label, label in page.roles) for key, label in selectors.ROLE_CHOICES[:2]
        ],
    }


@permission_required(VIEW, raise_exception=True)
@never_cache
@require_GET
def person(request, pk):
    member = get_object_or_404(User, pk=pk)
    context = _page_context(request, member)
    services.member_page_view_record(
        request=request, member=member, with_caucus=context["page"].sessions_include_caucus
    )
    return render(request, "members/organise/person.html", context)


@permission_required(services.MANAGE_ROLES, raise_exception=True)
@never_cache
@require_POST
def person_role(request, pk):
    member = get_object_or_404(User, pk=pk)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        if "confirm" in form.errors:
            messages.error(request, form.errors["confirm"][0])
        else:
            messages.error(request, "That change was not understood. Nothing has been changed.")
        return redirect("members:person", pk=member.pk)
    role, give = form.cleaned_data["role"], form.cleaned_data["give"]
    if refusal := services.role_change_refusal(
        member=member, role=role, actor=request.user, give=give
    ):
        messages.error(request, refusal.message)
        return redirect("members:person", pk=member.pk)
    label = services.ROLE_LABELS[role].lower()
    if give:
        changed = services.role_give(member=member, role=role, request=request)
        done = f"{member} now has the {label} role. They have been sent an email about it"
        done += (
            ", and will be asked to set up two-step sign-in on their next page."
            if not selectors.member_has_authenticator(member)
            else "."
        )
        already = f"{member} already has the {label} role."
    else:
        changed = services.role_remove(member=member, role=role, request=request)
        done = f"{member} no longer has the {label} role, from their next page on."
        already = f"{member} does not have the {label} role."
    (messages.success if changed else messages.info)(request, done if changed else already)
    return redirect("members:person", pk=member.pk)
