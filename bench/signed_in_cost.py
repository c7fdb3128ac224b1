"""The fixed cost of a page, signed in and signed out: CPU time per request, SQL queries and
cache round trips, measured in this process with Django's test client.

    BENCH_DATABASE_URL=postgres://…/cop_x REDIS_URL=redis://127.0.0.1:6379/4 \\
        python -m bench.signed_in_cost [--requests 2000]

Production settings (bench/settings.py), Redis as the shared cache, against a migrated
database, in which it makes (once) published ground rules, a member who has agreed to them and
an organiser with an authenticator app. The page (`bench/layout/`) renders the base layout
and nothing else, so what is measured is what every page pays before its own work: the
session, the member, their permissions, two-step sign-in, the ground rules, the header. The
visitor's figure is the same layout on a public address (`bench/layout/public/`).

Cache calls are counted on Django's cache API, one round trip each with Redis. Without REDIS_URL
production's cache is a database table, whose `get` calls `get_many`: count its queries instead."""

import argparse
import os
import secrets
import statistics
import time
from collections import Counter

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import GroundRules, GroundRulesAgreement, User  # noqa: E402
from members.roles import ORGANISERS  # noqa: E402

CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr")
HTTPS = {"X-Forwarded-Proto": "https"}
BATCHES = 10


def _someone(email: str, *, organiser: bool) -> User:
    rules = GroundRules.objects.filter(published_at__isnull=False).order_by("-version").first()
    if rules is None:
        rules = GroundRules.objects.create(version=1, body="Be kind.", published_at=timezone.now())
    user, created = User.objects.get_or_create(
        email=email, defaults={"name": "Bench Member", "profile_completed_at": timezone.now()}
    )
    if created:
        user.set_unusable_password()
        user.save()
    GroundRulesAgreement.objects.get_or_create(member=user, ground_rules=rules)
    if organiser and not user.groups.filter(name=ORGANISERS).exists():
        user.groups.add(Group.objects.get(name=ORGANISERS))
        RecoveryCodes.activate(user)
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    return user


class CacheCalls:
    """Counts the calls made on the default cache (each one round trip to Redis)."""

    def __init__(self):
        self.counts = Counter()
        backend = caches["default"]
        for name in CACHE_CALLS:
            original = getattr(backend, name)
            setattr(backend, name, self._counted(name, original))

    def _counted(self, name, original):
        def call(*args, **kwargs):
            self.counts[name] += 1
            return original(*args, **kwargs)

        return call


def measure(client: Client, url: str, requests: int, calls: CacheCalls) -> dict:
    for _ in range(50):  # warm: templates, URL resolver, cached answers, the connection
        assert client.get(url, headers=HTTPS).status_code == 200
    calls.counts.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, headers=HTTPS).status_code == 200
    one = {"queries": len(queries), "cache": dict(calls.counts)}
    # In batches, of which the quickest is reported: other work on the machine only ever adds.
    batch = max(1, requests // BATCHES)
    spent = []
    for _ in range(BATCHES):
        started = time.process_time()
        for _ in range(batch):
            client.get(url, headers=HTTPS)
        spent.append((time.process_time() - started) / batch)
    return {"ms_cpu": 1000 * min(spent), "ms_cpu_median": 1000 * statistics.median(spent), **one}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    calls = CacheCalls()
    rows = {}
    rows["signed out"] = measure(Client(), "/bench/layout/public/", args.requests, calls)
    for label, email, organiser in (
        ("member", "bench-layout-member@example.org", False),
        ("organiser", "bench-layout-organiser@example.org", True),
    ):
        client = Client()
        client.force_login(_someone(email, organiser=organiser))
        rows[label] = measure(client, "/bench/layout/", args.requests, calls)
    for label, row in rows.items():
        trips = sum(row["cache"].values())
        print(
            f"{label:<11} {row['ms_cpu']:.3f} ms CPU (median of batches "
            f"{row['ms_cpu_median']:.3f})  {row['queries']} queries  "
            f"{trips} cache round trips {row['cache']}"
        )


if __name__ == "__main__":
    main()
