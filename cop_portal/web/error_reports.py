"""Error reports (Sentry's protocol), sent only when SENTRY_DSN is set, and stripped first.

An error report leaves the portal for a service its operators read, so it carries what finding
the fault needs and nothing about the people involved: the error's type, where in the code it
happened, the page's address without its query string, the method, the request's id (the same
as in the log line) and at most the signed-in member's id. Never a request body, cookies, a
query string, headers beyond a few harmless ones, a member's email, name or address, or the
values of local variables (which hold whatever the code was handling: answers, reflections).

On the pages of a caucus, where surveys are answered or their results read, and in
conversations and private messages, the error's message and the trail of what led to it
(breadcrumbs: log lines, queries) are dropped too: both can quote what was being written or
shown there."""

from urllib.parse import urlsplit, urlunsplit

from .logs import current_request_id

# Paths whose errors carry no content: caucus pages, survey answering (members' pages and the
# link and short-link pages) and survey results, conversations (a caucus session's thread is its
# caucus's alone), private messages and the concerns raised about them. A session's page, or a
# resource's, may be a caucus's.
CONTENT_PATHS = (
    "/caucus/",
    "/organise/caucuses/",
    "/surveys/",
    "/s/",
    "/q/",
    "/organise/surveys/",
    "/events/",
    "/organise/events/",
    "/resources/",
    "/conversations/",
    "/messages/",
    "/organise/concerns/",
)
# Request headers that say nothing about who made the request.
KEPT_HEADERS = {"host", "content-type", "content-length", "x-request-id"}
HIDDEN = "[hidden: this page's content stays in the portal]"


def before_send(event: dict, hint: dict | None = None) -> dict:
    """The event as it may leave the portal (see the module's docstring)."""
    request = event.get("request") or {}
    path = urlsplit(request.get("url", "")).path
    if request:
        event["request"] = _request_kept(request)
    user_id = (event.get("user") or {}).get("id")
    event.pop("user", None)
    if user_id is not None:
        event["user"] = {"id": user_id}
    for frame in _frames(event):
        frame.pop("vars", None)
    event.pop("extra", None)
    request_id = current_request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    if path.startswith(CONTENT_PATHS):
        _content_dropped(event)
    return event


def _request_kept(request: dict) -> dict:
    scheme, netloc, path, _query, _fragment = urlsplit(request.get("url", ""))
    kept = {"url": urlunsplit((scheme, netloc, path, "", ""))}
    if "method" in request:
        kept["method"] = request["method"]
    headers = {
        name: value
        for name, value in (request.get("headers") or {}).items()
        if name.lower() in KEPT_HEADERS
    }
    if headers:
        kept["headers"] = headers
    return kept


def _frames(event: dict):
    for section in ("exception", "threads"):
        for value in (event.get(section) or {}).get("values") or []:
            yield from (value.get("stacktrace") or {}).get("frames") or []


def _content_dropped(event: dict) -> None:
    for value in (event.get("exception") or {}).get("values") or []:
        if "value" in value:
            value["value"] = HIDDEN
    logentry = event.get("logentry")
    if logentry:
        # The message's fixed wording stays; what was put into it goes.
        event["logentry"] = {"message": logentry.get("message", ""), "params": []}
    if "message" in event:
        event["message"] = HIDDEN
    event.pop("breadcrumbs", None)


def error_reports_start(*, dsn: str, environment: str, release: str | None) -> None:
    """Start sending error reports to `dsn`."""
    import sentry_sdk  # only a production with SENTRY_DSN set loads it
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        # Errors only: no performance tracing, which would send every page's address.
        traces_sample_rate=None,
        before_send=before_send,
    )
