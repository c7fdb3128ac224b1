"""A friendly 503 page while the database or the cache is unreachable (restarting, failing over,
overloaded). Redis holds the sessions and cached permissions, so without it a signed-in page
fails as surely as without PostgreSQL, and deserves the same page, not a 500.

Django turns an error raised in a view, or in another middleware, into a 500 before an outer
middleware sees it. So this middleware catches a database error in three places: loading the
signed-in member (session and user), in `process_view`, before the other middleware would; from
views, in `process_exception`; from anywhere else, through Django's `got_request_exception`
signal, which marks the request so that the 500 on its way out becomes the 503, keeping the
headers the other middleware set (CSP, HSTS...). It goes first in MIDDLEWARE, outside all
others, so that it sees that 500 last.

The page is rendered from templates/503.html with no request context: nothing in it touches the
database, and it names no error, query or setting."""

import logging
import sys

import redis.exceptions
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template import loader

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
