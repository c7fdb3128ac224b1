"""A member's data rights: download everything we hold, or delete the account. Organisers with
`members.manage_member_data` can do both for a member who asks them to."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cop_portal.web.downloads import json_download

from ..forms.data_rights import AccountDeleteForm, MemberEraseForm, MemberLookupForm
from ..middleware import ground_rules_not_required
from ..models import User
from ..selectors import data_rights as selectors
from ..services import data_rights as services

MANAGE = "members.manage_member_data"


# The member -------------------------------------------------------------------------------------


@ground_rules_not_required
@never_cache
@require_GET
def your_data(request):
    return render(request, "members/data_rights/your_data.html")


@ground_rules_not_required
@never_cache
@require_GET
def data_download(request):
    return json_download(
        selectors.member_data_export(member=request.user), selectors.data_export_filename()
    )


@ground_rules_not_required
@never_cache
@sensitive_post_parameters("password", "phrase")
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(request=request)
        logout(request)
        return redirect("members:account_deleted")
    return render(request, "members/data_rights/account_delete.html", {"form": form})


@login_not_required
@require_GET
def account_deleted(request):
    return render(request, "members/data_rights/account_deleted.html")


# Organisers, at a member's request --------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
@never_cache
@require_GET
def member_data(request):
    form = MemberLookupForm(request.GET or None)
    found = None
    if form.is_valid():
        found = selectors.member_by_email(form.cleaned_data["email"])
    return render(
        request,
        "members/organise/member_data.html",
        {"form": form, "found": found, "searched": form.is_bound and form.is_valid()},
    )


def _member(pk):
    return get_object_or_404(User, pk=pk)


@permission_required(MANAGE, raise_exception=True)
@never_cache
@require_GET
def member_data_detail(request, pk):
    member = _member(pk)
    return render(
        request,
        "members/organise/member_data_detail.html",
        {"member": member, "form": MemberEraseForm(member=member)},
    )


@permission_required(MANAGE, raise_exception=True)
@never_cache
@require_GET
def member_data_download(request, pk):
    member = _member(pk)
    services.member_data_export_record(member=member, request=request)
    return json_download(
        selectors.member_data_export(member=member, viewer=request.user),
        selectors.data_export_filename(),
    )


@permission_required(MANAGE, raise_exception=True)
@never_cache
@require_POST
def member_data_erase(request, pk):
    member = _member(pk)
    if refusal := services.member_erase_refusal(member=member, organiser=request.user):
        say = messages.info if refusal.code == "erased" else messages.error
        say(request, refusal.message)
        return redirect("members:member_data_detail", pk=member.pk)
    form = MemberEraseForm(request.POST, member=member)
    if not form.is_valid():
        return render(
            request,
            "members/organise/member_data_detail.html",
            {"member": member, "form": form},
        )
    services.member_data_erase(member=member, request=request)
    messages.success(
        request,
        "The member’s personal data is erased and their account is closed. Their attendance "
        "and survey answers still count, with no link to them.",
    )
    return redirect("members:member_data_detail", pk=member.pk)
