"""Settings for `make loadtest`: the benchmark's (production's own, DEBUG off, bench/settings.py),
pointed by loadtest/run.py at its throwaway PostgreSQL cluster through BENCH_DATABASE_URL.

One change, because all 50 simulated members sign in from the same address (127.0.0.1): allauth's
per-address limits on sign-ins (30 a minute) and on sign-in attempts in progress or failed (10 a
minute; an attempt counts until it succeeds) would otherwise refuse most of them. In production
each member signs in from their own address. The per-account limit (5 failures in 5 minutes)
stays as it is."""

from bench.settings import *  # noqa: F403 - the benchmark's settings, which are production's
from bench.settings import BASE_DIR

try:
    from bench.settings import ACCOUNT_RATE_LIMITS as _RATE_LIMITS
except ImportError:
    _RATE_LIMITS = {}

if _RATE_LIMITS is not False:  # False turns them all off: nothing to raise then
    ACCOUNT_RATE_LIMITS = {
        **_RATE_LIMITS,
        "login": "600/m/ip",
        "login_failed": "600/m/ip,5/300s/key",
    }
STATIC_ROOT = BASE_DIR / "loadtest" / "out" / "static"
