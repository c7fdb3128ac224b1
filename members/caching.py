"""What the members app keeps in the default cache (Redis in production, shared by all workers).

What every signed-in page would otherwise ask the database for on each request, the user's
permissions (for the menu) and the version of the ground rules in force, is dropped by signals
the moment it changes, so a stale answer can only come from a cache that is not shared; the
short timeouts bound that case. The dashboard's figures are kept for ten minutes and not
dropped: the page says when they were worked out."""

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import Max

from cop_portal.web.generations import generation_bump, generation_bump_at_commit

PERMISSIONS_TIMEOUT = 300
PERMISSIONS_GENERATION_KEY = "members:permissions-generation"
GROUND_RULES_TIMEOUT = 60
GROUND_RULES_VERSION_KEY = "members:ground-rules-version"
# Moved on by the glossary's services: search keeps what it found under it.
GLOSSARY_GENERATION_KEY = "members:glossary-generation"
# Moved on when organisations are renamed or merged: kept survey results name them.
ORGANISATIONS_GENERATION_KEY = "members:organisations-generation"


def _permissions_key(user_pk: int) -> str:
    return f"members:permissions:{user_pk}"


def permissions_forget(user_pks=None) -> None:
    """Drop cached permissions: of these users, or of everyone (a group's permissions changed)."""
    if user_pks is None:
        generation_bump(PERMISSIONS_GENERATION_KEY)
        return
    cache.delete_many([_permissions_key(pk) for pk in user_pks])


class CachedPermissionsBackend(ModelBackend):
    """Django's ModelBackend, with each user's permission set cached between requests.

    ModelBackend already keeps the set on the user object for one request; this keeps it across
    requests, which takes two queries off every signed-in page (the menu asks `perms`). A cached
    set is stored with the generation it was worked out in and read together with the current
    generation (one cache round trip), so bumping the generation drops everyone's at once."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = _permissions_key(user_obj.pk)
            found = cache.get_many([PERMISSIONS_GENERATION_KEY, key])
            generation = found.get(PERMISSIONS_GENERATION_KEY, 0)
            cached = found.get(key)
            if cached is not None and cached[0] == generation:
                permissions = cached[1]
            else:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, (generation, permissions), PERMISSIONS_TIMEOUT)
            user_obj._perm_cache = permissions
        return user_obj._perm_cache


def ground_rules_version() -> int | None:
    """The version of the ground rules in force, or None before any is published."""
    version = cache.get(GROUND_RULES_VERSION_KEY)
    if version is None:
        from .models import GroundRules

        published = GroundRules.objects.filter(published_at__isnull=False)
        version = published.aggregate(version=Max("version"))["version"] or 0
        cache.set(GROUND_RULES_VERSION_KEY, version, GROUND_RULES_TIMEOUT)
    return version or None


def ground_rules_forget() -> None:
    cache.delete(GROUND_RULES_VERSION_KEY)


def glossary_changed() -> None:
    generation_bump_at_commit(GLOSSARY_GENERATION_KEY)


def organisations_changed() -> None:
    generation_bump_at_commit(ORGANISATIONS_GENERATION_KEY)


# The dashboard ---------------------------------------------------------------------------------

# Working the figures out reads every attendance and response in the period; they are kept this
# long and shared by everyone looking at the same period (the page says when they were worked out).
FIGURES_TIMEOUT = 10 * 60


def figures_cache_key(period, *, viewer) -> str:
    """Per period as shown (whole months for protected viewers, so every protected viewer
    asking about the same months shares one entry) and per kind of viewer."""
    return f"members:dashboard:{period.start}:{period.end}:{viewer.kind}"


def _figures_html_key(period, *, viewer) -> str:
    return figures_cache_key(period, viewer=viewer) + ":html"


def figures_cached(period, *, viewer, work):
    """The figures kept for this period and viewer, or `work()`'s, kept from now on."""
    return _cached(figures_cache_key(period, viewer=viewer), work)


def figures_html_cached(period, *, viewer, render) -> str:
    """The page's rendering of the figures, kept as long as the figures themselves."""
    return _cached(_figures_html_key(period, viewer=viewer), render)


def figures_forget(period, *, viewer) -> None:
    """Drop the kept figures and the page's rendering of them for this period and viewer."""
    cache.delete_many(
        [figures_cache_key(period, viewer=viewer), _figures_html_key(period, viewer=viewer)]
    )


def _cached(key: str, work):
    found = cache.get(key)
    if found is None:
        found = work()
        cache.set(key, found, FIGURES_TIMEOUT)
    return found
