"""The portal's own address, for links in emails and calendar files.

In production PORTAL_URL is required and is the only address used: a link in an email must not
depend on the Host header of whichever request happened to send it. Without PORTAL_URL (the
`make run` demo, served on whatever address and port someone chose), an email or calendar file
made while serving a request uses the address that request came to, so its links work where the
demo is actually reached; outside a request (a command) the default address is used. A task that
writes emails for a request (in a worker, after the request) is given that address when it is
queued (`request_address`, `request_address_carried`), so its links are the request's too."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_request_base: ContextVar[str | None] = ContextVar("portal_request_base", default=None)


def portal_url() -> str:
    """The portal's address without a trailing slash, e.g. https://cop.example.org."""
    if settings.PORTAL_URL_FROM_REQUEST and (base := _request_base.get()):
        return base
    return settings.PORTAL_URL.rstrip("/")


def request_address() -> str | None:
    """The address of the request being served when links follow it (the demo), else None: what
    a task queued by the request is given as `portal_base`."""
    return _request_base.get() if settings.PORTAL_URL_FROM_REQUEST else None


@contextmanager
def _request_address_used(base: str | None):
    token = _request_base.set(base)
    try:
        yield
    finally:
        _request_base.reset(token)


def request_address_carried(function):
    """For a task that writes emails: it takes `portal_base` (from `request_address()` where it
    is queued) and makes its links with that address, as the request would have."""

    @functools.wraps(function)
    def run(*args, portal_base: str | None = None, **kwargs):
        with _request_address_used(portal_base):
            return function(*args, **kwargs)

    return run


def absolute_url(path: str) -> str:
    """The full address of a path on the portal, for emails and calendar feeds."""
    return portal_url() + path


class RequestAddressMiddleware:
    """Remembers the address each request came to (only when PORTAL_URL is not set)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PORTAL_URL_FROM_REQUEST:
            return self.get_response(request)
        with _request_address_used(request.build_absolute_uri("/").rstrip("/")):
            return self.get_response(request)
