"""Members' own account pages: their profile, email choices and one-click unsubscribe, the
member directory, and claiming a record imported from a spreadsheet."""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ..caching import ORGANISATIONS_GENERATION_KEY, TOPICS_GENERATION_KEY, member_page_kept
from ..forms.accounts import ClaimForm, DirectoryFilterForm, EmailPreferencesForm, ProfileForm
from ..middleware import ground_rules_not_required
from ..selectors import accounts as selectors
from ..services import accounts as services
from ..services.emails import unsubscribe_token_read

DIRECTORY_PAGE_SIZE = 24


@require_GET
def profile(request):
    # Kept for the member under their own generation (profile_update moves it on) and those of
    # the names it shows: their organisation's and their interests' (topics).
    content = member_page_kept(
        member_pk=request.user.pk,
        part="profile",
        under=(ORGANISATIONS_GENERATION_KEY, TOPICS_GENERATION_KEY),
        now=timezone.now(),
        build=lambda: (
            render_to_string("members/profile.html#content", {"member": request.user}),
            None,
        ),
    )
    return render(request, "members/profile.html", {"content": content})


@ground_rules_not_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    first_time = request.user.profile_completed_at is None
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile is saved.")
        if first_time and request.user.introduction_read_at is None:
            return redirect("members:introduction")
        return redirect("members:profile")
    return render(request, "members/profile_edit.html", {"form": form, "first_time": first_time})


@ground_rules_not_required
@require_http_methods(["GET", "POST"])
def email_preferences(request):
    # Bound on any POST, even an empty one: unticking every box sends no field at all.
    data = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(data, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.email_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email choices are saved.")
        return redirect("members:email_preferences")
    return render(request, "members/email_preferences.html", {"form": form})


# What each unsubscribe category is called in "You will no longer get … emails".
UNSUBSCRIBE_NAMES = {
    "programme": "new programme",
    "reminders": "reminder",
    "catch_up": "session summary",
    "surveys": "survey invitation",
    "digest": "digest",
    "organiser_news": "organisers’ “waiting for you”",
}


# The signed token in the address is the authorisation, and all it can do is turn one kind of
# email off for one member, so a forged cross-site request could do no harm worth guarding
# against. Mail clients send the one-click POST of RFC 8058 ("List-Unsubscribe=One-Click")
# with no CSRF cookie or token, so a CSRF check would refuse exactly the request we must honour.
@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = unsubscribe_token_read(token)
    state = "confirm" if found else "invalid"
    if found and request.method == "POST":
        member_id, category = found
        done = services.email_unsubscribe(member_id=member_id, category=category)
        state = "done" if done else "invalid"
    return render(
        request,
        "members/unsubscribe.html",
        {
            "state": state,
            "category": found[1] if found else "",
            "category_name": UNSUBSCRIBE_NAMES[found[1]] if found else "",
        },
    )


@require_GET
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_directory(
        organisation=filters.get("organisation"),
        sector=filters.get("sector", ""),
        interest=filters.get("interest"),
    )
    page = Paginator(members, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    me = request.user
    may_message = me.listed_in_directory and me.directory_accepts_messages
    return render(
        request, "members/directory.html", {"form": form, "page": page, "may_message": may_message}
    )


@login_not_required
@ground_rules_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def claim(request, token):
    """An imported member claims their record from the welcome link: set a password (or sign
    in with Microsoft), and they are in."""
    member = services.welcome_member_for_token(token)
    if member is None:
        return render(request, "members/claim_invalid.html", status=404)
    form = ClaimForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = services.member_claim(member=member, password=form.cleaned_data["new_password1"])
        auth_login(request, member, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to the CoP Portal: your account is ready.")
        return redirect("members:profile_edit")
    return render(
        request,
        "members/claim.html",
        {"form": form, "member": member, "microsoft_login": selectors.microsoft_login_url()},
    )
