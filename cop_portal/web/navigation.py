"""The addresses the header and footer link to, worked out once per process rather than
reversed on every page (about a millisecond a page, measured with the benchmark's profile), and
the header itself, rendered once per process for each of its few forms.

The header shows the same links to everyone in the same role, with the page they are on marked:
so it is rendered once for each combination (signed in or not, with or without the Organise
link, the page's name) and kept in this process's memory, with only the sign-out form's CSRF
token put in for each page. It holds nothing about the member: anything personal (a count, a
badge) must stay out of it, or be kept per member under a generation that the services which
change it move on."""

import functools

from django.template import Context
from django.urls import reverse

from .forms import KEPT_TOKEN_PLACEHOLDER, kept_forms_with_token

NAV_ROUTES = {
    "home": ("members:home",),
    "programme": ("events:programme",),
    "resources": ("resources:browse",),
    "introduction": ("members:introduction",),
    "ground_rules": ("members:ground_rules",),
    "glossary": ("members:glossary",),
    "mine": ("events:mine",),
    "actions": ("members:actions",),
    "directory": ("members:directory",),
    "conversations": ("resources:conversations",),
    "organise": ("members:organise",),
    "profile": ("members:profile",),
    "login": ("account_login",),
    "logout": ("account_logout",),
    "signup": ("account_signup",),
    "accessibility": ("members:page", "accessibility"),
    "privacy": ("members:page", "privacy"),
    "special_category_data": ("members:page", "special-category-data"),
}


@functools.cache
def _nav_urls(urlconf: str) -> dict[str, str]:
    return {
        name: reverse(route, args=args, urlconf=urlconf)
        for name, (route, *args) in NAV_ROUTES.items()
    }


def navigation(request):
    from django.conf import settings

    return {"nav": _nav_urls(getattr(request, "urlconf", None) or settings.ROOT_URLCONF)}


# The header's one link that depends on a role.
ORGANISE_PERMISSION = "members.view_reports"
HEADER_TEMPLATE = "includes/_header.html"
# Forms of the header kept: in use, a few per page name. A bound on memory, never reached.
HEADERS_KEPT = 2000
_headers: dict[tuple, tuple] = {}


# The resource app's pages that the menu marks as Conversations rather than Resources.
CONVERSATION_PAGES = frozenset(
    {"conversations", "space", "session_thread", "resource_thread", "inbox", "messages_with"}
)


def site_header(context) -> str:
    """The header for the page being rendered with `context` (a RequestContext)."""
    request, nav, user = context.get("request"), context.get("nav"), context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    match = getattr(request, "resolver_match", None)
    values = {
        "nav": nav,
        "signed_in": signed_in,
        "may_organise": signed_in and user.has_perm(ORGANISE_PERMISSION),
        "current_name": getattr(match, "url_name", None),
        "current_app": getattr(match, "app_name", None),
    }
    # Worked out from the page's app and name, which the key below holds.
    values["in_conversations"] = (
        values["current_app"] == "resources" and values["current_name"] in CONVERSATION_PAGES
    )
    template = context.template.engine.get_template(HEADER_TEMPLATE)
    # Lazy: worked out (and the CSRF cookie set) only for a header with the sign-out form.
    token = context.get("csrf_token")
    if request is None or nav is None or token is None:
        with context.push(values):
            return template.render(context)
    key = (
        id(nav),
        signed_in,
        values["may_organise"],
        values["current_name"],
        values["current_app"],
    )
    kept = _headers.get(key)
    if kept is None or kept[0] is not template:  # new, or the template was reloaded
        html = template.render(Context({**values, "csrf_token": KEPT_TOKEN_PLACEHOLDER}))
        if len(_headers) >= HEADERS_KEPT:
            _headers.clear()
        kept = _headers[key] = (template, html)
    return kept_forms_with_token(kept[1], str(token))
