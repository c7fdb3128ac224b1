"""The portal's own middleware, which knows no model: an id for each request, a friendly 503
while the database or the cache is down, session timeouts, and no stored copies of signed-in
pages."""

import logging
import sys
import time

import redis.exceptions
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template import loader
from django.utils.cache import patch_cache_control

from .logs import REQUEST_ID_HEADER, current_request_id, request_id_from

# An id for each request ------------------------------------------------------------------


class RequestIdMiddleware:
    """Gives each request an id: the proxy's (X-Request-ID) when it sent a sane one, else a new
    one. Every line logged while serving the request carries it (cop_portal.web.logs), and the
    response echoes it, so a member's report of an error page can be matched to the log and to
    the error report. Outermost, so that every response has it, the 503 page's too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


# The database or the cache is unreachable --------------------------------------------------
#
# A friendly 503 page while the database or the cache is unreachable (restarting, failing over,
# overloaded). Redis holds the sessions and cached permissions, so without it a signed-in page
# fails as surely as without PostgreSQL, and deserves the same page, not a 500.
#
# Django turns an error raised in a view, or in another middleware, into a 500 before an outer
# middleware sees it. So this middleware catches a database error in three places: loading the
# signed-in member (session and user), in `process_view`, before the other middleware would; from
# views, in `process_exception`; from anywhere else, through Django's `got_request_exception`
# signal, which marks the request so that the 500 on its way out becomes the 503, keeping the
# headers the other middleware set (CSP, HSTS...). It goes first in MIDDLEWARE, outside all
# others, so that it sees that 500 last.
#
# The page is rendered from templates/503.html with no request context: nothing in it touches the
# database, and it names no error, query or setting.

DATABASE_ERRORS = (
    OperationalError,
    InterfaceError,
    # Redis refusing connections, timing out, or still loading its data after a restart.
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 30
logger = logging.getLogger(__name__)
_MARK = "_database_unavailable"


def database_unavailable_response(response: HttpResponse | None = None) -> HttpResponse:
    """The 503 page, as a new response or in place of a 500 that has already been through the
    other middleware (which keeps the security headers they added)."""
    if response is None:
        response = HttpResponse()
    response.status_code = 503
    response.content = loader.render_to_string("503.html")
    response["Content-Type"] = "text/html; charset=utf-8"
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="cop_portal_database_unavailable")
def _mark_database_error(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _MARK, False) and response.status_code == 500:
            return database_unavailable_response(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The middleware after this one (LoginRequiredMiddleware, GroundRulesMiddleware) load the
        # member for every view anyway, so this costs no query; without a session cookie it
        # needs no database at all.
        if not hasattr(request, "user"):
            return None
        try:
            request.user.is_authenticated  # noqa: B018 - loads the session and the member
        except DATABASE_ERRORS as error:
            return self.process_exception(request, error)
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning(
                "Database or cache unavailable (%s): %s", type(exception).__name__, request.path
            )
            return database_unavailable_response()
        return None


# Sessions: idle and absolute timeouts ------------------------------------------------------------

# Seconds since the epoch, kept in the session (which every signed-in request loads anyway).
SIGNED_IN_AT = "portal_signed_in_at"
SEEN_AT = "portal_seen_at"
# The "last seen" stamp is refreshed at most this often, so that a busy member's session is
# written once a minute rather than on every request. Idle sessions may so end up to a minute
# early, never late.
STAMP_EVERY = 60

IDLE_MESSAGE = (
    "You were signed out because the portal had not been used for {minutes} minutes. "
    "Please sign in again to carry on."
)
ABSOLUTE_MESSAGE = (
    "You were signed out because you signed in more than {hours} hours ago. "
    "Please sign in again to carry on."
)


def session_stamp_sign_in(request, *, now: int | None = None) -> None:
    """Start both clocks: called as someone signs in (see members.apps)."""
    now = int(time.time()) if now is None else now
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs a member out after SESSION_IDLE_TIMEOUT seconds without a request, or
    SESSION_ABSOLUTE_TIMEOUT seconds after signing in, and sends them to sign in again with a
    message saying why. Reads only the session; writes it at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._expired(request) or self.get_response(request)

    def _expired(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        session = request.session
        if SESSION_KEY not in session:
            return None
        now = int(time.time())
        signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
        if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
            # A session made before these clocks existed: they start now.
            session_stamp_sign_in(request, now=now)
            return None
        if now - signed_in_at >= settings.SESSION_ABSOLUTE_TIMEOUT:
            reason = "absolute"
            message = ABSOLUTE_MESSAGE.format(hours=settings.SESSION_ABSOLUTE_TIMEOUT // 3600)
        elif now - seen_at >= settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
            message = IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_TIMEOUT // 60)
        else:
            if now - seen_at >= STAMP_EVERY:
                session[SEEN_AT] = now
            return None
        request.session_expired = reason  # read by the audit trail's sign-out line
        logout(request)
        messages.info(request, message)
        next_url = request.get_full_path() if request.method == "GET" else ""
        if next_url:
            return redirect_to_login(next_url)
        return redirect(settings.LOGIN_URL)


# Caching: no personal page kept ------------------------------------------------------------------


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
