import hashlib
import time
from urllib.parse import urlencode, urlsplit

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cop_portal.web.middleware import STAMP_EVERY

from .caching import ground_rules_version
from .roles import ORGANISERS, STEERING_GROUP
from .selectors.onboarding import GroundRulesStatus, ground_rules_status
from .services.audit import Action, audit_record

# The version this session's member is known to have agreed to: while it is the version in force
# (cached), a page needs no query to know the member may go on.
SESSION_AGREED_KEY = "ground_rules_agreed_version"

# Account management and the admin stay reachable: a member must always be able to sign out,
# change a password or verify an email address.
EXEMPT_PATH_PREFIXES = ("/accounts/", "/admin/")


def ground_rules_status_of(request) -> GroundRulesStatus:
    """The signed-in member's ground-rules status, without a query while the session records
    that they agreed to the version in force. The version in force was read with the member."""
    current = ground_rules_version(request.user)
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
        if request.method in ("GET", "HEAD"):
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        # A button pressed (Register, Cancel…): its address answers only POST, so coming back
        # to it would be a bare "method not allowed". Come back to the page the button was on
        # instead, where the member presses it again once they have agreed; nothing was done.
        messages.info(request, GROUND_RULES_BEFORE_ACTION)
        back = _same_site_referrer(request)
        return redirect(f"{target}?{urlencode({'next': back})}" if back else target)


GROUND_RULES_BEFORE_ACTION = (
    "Nothing has been changed yet: please read and agree to the ground rules first. You will "
    "then go back to the page you were on, to press the button again."
)


def _same_site_referrer(request) -> str:
    """The path (and query) of the page a form was sent from, if it was one of the portal's."""
    referrer = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith("/") and not path.startswith("//") else ""


# MFA for organisers and staff --------------------------------------------------------------------

MFA_NEEDED = "portal_mfa_setup_needed"
MFA_CHECKED_AT = "portal_mfa_checked_at"
MFA_PERMISSIONS_SEEN = "portal_mfa_permissions"
MFA_MESSAGE = (
    "Your role lets you see other members' personal details or sensitive figures, such as "
    "free-text survey answers, so your account needs two-step sign-in. Please set up an "
    "authenticator app to carry on."
)
# Holding any of these, however given (a group or the person), needs MFA as a role does.
MFA_PERMISSIONS = (
    "events.view_caucus_choice",
    "surveys.view_unsuppressed_results",
    "members.manage_roles",
)
# Where someone who still has to set up MFA may go: the MFA pages themselves, confirming their
# password first, and signing out.
MFA_SETUP_URL_NAMES = {"account_reauthenticate", "account_logout"}


def mfa_required(user) -> bool:
    """Organisers, the steering group (they read free-text answers), staff, and anyone who may
    see caucus choices or unsuppressed figures must use two-step sign-in."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    if user.groups.filter(name__in=[ORGANISERS, STEERING_GROUP]).exists():
        return True
    return any(user.has_perm(permission) for permission in MFA_PERMISSIONS)


def mfa_setup_needed(user) -> bool:
    """Whether `user` must use MFA and has no authenticator app yet."""
    return (
        mfa_required(user)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


def _permissions_seen(user) -> str:
    """A short digest of `user`'s permissions: read from the permissions cache (which a role
    change drops), so that it costs no query, and different as soon as a role is given."""
    held = "\n".join(sorted(user.get_all_permissions()))
    seen = f"{user.is_staff}:{user.is_superuser}:{held}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def session_mfa_check(request, user, *, now: int | None = None) -> bool:
    needed = mfa_setup_needed(user)
    request.session[MFA_NEEDED] = needed
    request.session[MFA_PERMISSIONS_SEEN] = _permissions_seen(user)
    request.session[MFA_CHECKED_AT] = int(time.time()) if now is None else now
    return needed


class MFARequiredMiddleware:
    """Sends an organiser, staff member or superuser who has no authenticator app to set one
    up. A "not needed" answer is kept in the session and looked up again at most once a
    minute, or at once when the member's permissions (read from their cache, no query) are no
    longer those it was worked out with: a role given on the People page or in the admin sends
    its new holder to set up MFA on their very next page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        session = request.session
        if SESSION_KEY not in session or not request.user.is_authenticated:
            return None
        now = int(time.time())
        checked_at = session.get(MFA_CHECKED_AT)
        fresh = isinstance(checked_at, int) and now - checked_at < STAMP_EVERY
        if (
            fresh
            and session.get(MFA_NEEDED) is False
            and session.get(MFA_PERMISSIONS_SEEN) == _permissions_seen(request.user)
        ):
            return None
        # Someone still to set MFA up is looked up on every request, so that turning it on
        # lets them through at once.
        if not session_mfa_check(request, request.user, now=now):
            return None
        url_name = getattr(request.resolver_match, "url_name", "") or ""
        if url_name.startswith("mfa_") or url_name in MFA_SETUP_URL_NAMES:
            return None
        messages.warning(request, MFA_MESSAGE)
        return redirect("mfa_activate_totp")


# Audit: refused access ---------------------------------------------------------------------------


class AccessDeniedAuditMiddleware:
    """Adds a line to the audit trail whenever a view refuses someone (PermissionDenied)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            audit_record(request, Action.ACCESS_DENIED)
        return None
