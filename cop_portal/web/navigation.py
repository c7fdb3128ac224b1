"""The addresses the header and footer link to, worked out once per process rather than
reversed on every page (about a millisecond a page, measured with the benchmark's profile)."""

import functools

from django.urls import reverse

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
