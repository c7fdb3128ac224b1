"""Health checks for load balancers and process supervisors: they know no model, so they stay
up whatever the apps are doing."""

import logging
import secrets

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Long enough for a busy server to answer, short enough for a load balancer's probe.
HEALTH_CONNECT_TIMEOUT = 3


def cache_answers() -> bool:
    """Whether the shared cache (Redis in production: sessions, permissions, sign-in limits)
    stores and returns a value now."""
    probe = f"health:{secrets.token_hex(8)}"
    try:
        cache.set(probe, 1, timeout=5)
        answered = cache.get(probe) == 1
        cache.delete(probe)
        return answered
    except Exception as error:
        logger.warning("Health check: the cache is unavailable: %s", type(error).__name__)
        return False


def database_answers(alias: str = "default") -> bool:
    """Whether the database takes a new connection and answers a query now.

    A new connection, never the request's persistent one: a pooled connection opened before
    the database went down (or one that outlived a restart) would say nothing about whether
    the next worker can connect."""
    connection = connections.create_connection(alias)
    if connection.vendor == "postgresql":
        options = {**connection.settings_dict.get("OPTIONS", {})}
        options.setdefault("connect_timeout", HEALTH_CONNECT_TIMEOUT)
        # A copy: the original dict is shared with every other connection to this database.
        connection.settings_dict = {**connection.settings_dict, "OPTIONS": options}
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        first_line = (str(error).strip().splitlines() or [""])[0]
        logger.warning("Health check: the database is unavailable: %s", first_line)
        return False
    finally:
        connection.close()


@login_not_required
@require_safe  # GET, and HEAD: what many uptime monitors send
@never_cache
def health(request):
    """For load balancers (readiness): 200 when the database takes a new connection and the
    shared cache answers, 503 when either does not. It says nothing else, so it gives nothing
    away."""
    if database_answers() and cache_answers():
        return JsonResponse({"status": "ok"})
    return JsonResponse({"status": "unavailable"}, status=503)


@login_not_required
@require_safe
@never_cache
def liveness(request):
    """For a process supervisor (liveness): 200 whenever this process answers at all. It checks
    nothing else, so a database or Redis outage does not get healthy workers restarted."""
    return JsonResponse({"status": "alive"})
