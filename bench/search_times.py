"""How long a member waits for search at a tier: the search quality test's queries (typos, word
starts, phrases, OR, -word, transcript-only words, glossary terms) run against the benchmark's
seeded database, through the search page, in this process with Django's test client.

    make bench TIER=M                      (seeds cop_bench, or: python -m bench.seed --tier M)
    BENCH_DATABASE_URL=postgres://…/cop_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        python -m bench.search_times [--rounds 3]

Each query is asked first with the cache emptied (PostgreSQL ranks it: what the first member to
ask waits) and then again (the ranking kept per query and audience). Prints the median and p95
of each, over every query and round, and the slowest queries. Production settings
(bench/settings.py) and the Redis named by REDIS_URL, which it empties: give it a database of
its own."""

import argparse
import os
import secrets
import statistics
import time

os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.signed_in_cost import _someone  # noqa: E402
from tests.resources.test_search_quality import QUERIES  # noqa: E402

HTTPS = {"X-Forwarded-Proto": "https"}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    member = _someone("search-times@bench.example.org", organiser=False)
    client = Client(headers=HTTPS)
    client.force_login(member)
    url = reverse("resources:search")
    queries = sorted({query for query, _, _ in QUERIES})
    client.get(url, {"q": "racism"}, secure=True)  # code and templates loaded
    first, kept, slowest = [], [], {}
    for _ in range(args.rounds):
        for query in queries:
            cache.clear()
            client.force_login(member)
            began = time.perf_counter()
            response = client.get(url, {"q": query}, secure=True)
            cold = 1000 * (time.perf_counter() - began)
            began = time.perf_counter()
            client.get(url, {"q": query}, secure=True)
            warm = 1000 * (time.perf_counter() - began)
            if response.status_code != 200:
                raise SystemExit(f"{query!r} answered {response.status_code}")
            first.append(cold)
            kept.append(warm)
            slowest[query] = max(slowest.get(query, 0.0), cold)
    load = os.getloadavg()
    print(
        f"{len(queries)} queries × {args.rounds} rounds; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    for name, times in (("first asked (ranked)", first), ("asked again (kept)", kept)):
        print(
            f"  {name:<22} median {statistics.median(times):7.1f} ms   "
            f"p95 {_percentile(times, 0.95):7.1f} ms"
        )
    print("  slowest when first asked:")
    for query, ms in sorted(slowest.items(), key=lambda item: -item[1])[:5]:
        print(f"    {ms:7.1f} ms  {query}")


if __name__ == "__main__":
    main()
