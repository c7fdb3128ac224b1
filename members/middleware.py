from urllib.parse import urlencode

from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .caching import ground_rules_version
from .selectors import GroundRulesStatus, ground_rules_status

# The version this session's member is known to have agreed to: while it is the version in force
# (cached), a page needs no query to know the member may go on.
SESSION_AGREED_KEY = "ground_rules_agreed_version"

# Account management and the admin stay reachable: a member must always be able to sign out,
# change a password or verify an email address.
EXEMPT_PATH_PREFIXES = ("/accounts/", "/admin/")


def ground_rules_status_of(request) -> GroundRulesStatus:
    """The signed-in member's ground-rules status, without a query while the session records
    that they agreed to the version in force."""
    current = ground_rules_version()
    if current is None:
        return GroundRulesStatus(current_version=None, agreed_version=None)
    if request.session.get(SESSION_AGREED_KEY) == current:
        return GroundRulesStatus(current_version=current, agreed_version=current)
    status = ground_rules_status(user=request.user)
    if not status.needs_agreement and status.current_version is not None:
        request.session[SESSION_AGREED_KEY] = status.current_version
    return status


def ground_rules_not_required(view_func):
    """Let a signed-in member reach this view before agreeing to the current ground rules."""
    view_func.ground_rules_required = False
    return view_func


class GroundRulesMiddleware:
    """Sends a signed-in member who has not agreed to the current ground rules to agree first.

    Public views (marked with `login_not_required`) and views marked with
    `ground_rules_not_required` are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The view's own markers first: they cost nothing, while the user costs a session
        # lookup, which a public view (the health check during an outage) must not need.
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "ground_rules_required", True):
            return None
        if not request.user.is_authenticated:
            return None
        if request.path_info.startswith(EXEMPT_PATH_PREFIXES):
            return None
        if not ground_rules_status_of(request).needs_agreement:
            return None
        target = reverse("members:ground_rules")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class NoStoreForSignedInMiddleware:
    """Tells browsers and proxies not to keep any page served to a signed-in member.

    Nearly every signed-in page carries personal data (names, registrations, reflections,
    caucus choices), so none may sit in a shared proxy, or in the browser's cache for the next
    person at a shared ward computer to find with the Back button. A view that has decided its
    own caching (a private download, a public calendar) keeps its Cache-Control. Pages for
    visitors who are not signed in stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if self._signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        user = getattr(request, "user", None)
        if user is None:
            return False
        try:
            return user.is_authenticated
        except DatabaseError:
            # The session could not be read (the database is down): this response is an
            # error page anyway, and when in doubt it is safer not to store it.
            return True
