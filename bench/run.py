"""`make bench`: the portal's throughput, latency and CPU at one data tier, against baselines.

    python -m bench.run --tier M      (what `make bench TIER=M` runs; `make bench` runs S, then M)

1. Drops and recreates the benchmark's own database (cop_bench), migrates it and fills it with
   `python -m bench.seed --tier` (bench/seed/), then VACUUM ANALYZE, as autovacuum would have left
   a live database.
2. Counts the SQL queries of one request to each page (Django's test client, in this process,
   against the same database), warm and cold, and saves their SQL under bench/out/.
3. Serves the portal as in production: production settings (bench/settings.py adds only the
   baselines and the cold step), DEBUG off, gunicorn, static files through WhiteNoise after
   collectstatic, on 127.0.0.1. HTTPS is taken as ended by a proxy: requests carry
   X-Forwarded-Proto: https.
4. Throughput: wrk (Debian's package) at a fixed concurrency, each page alternating with the
   baselines (B1, B2, page warm, page cold, B1, B2 …, B1, B2), 5 repetitions; each run of the
   page is compared with the mean of the baselines' runs either side of it; the median rps and
   the median page/B1 and page/B2 ratios. B1 is a signed-out page of 12 rows; B2 the base
   layout signed in (bench/views.py). Warm: the page's kept answers are in the cache. Cold:
   each request first retires them as the portal's writes do (bench/cold.py), so it is a first
   view after a write.
5. CPU per request: the gunicorn workers' and the PostgreSQL backends' CPU time (from /proc)
   over each page's wrk runs, divided by the requests answered.
6. Latency: bench/loadgen.py, open loop, at a quarter of B1's capacity, warm and cold:
   p50/p95/p99 from when each request was due. The warm run follows a few requests one at a
   time, after the cold wrk runs, so that it starts with the page's answers kept.
7. Prints a table with what misses the targets (S and M each against the latest run at the
   other), and writes bench/results.json (the latest run at each tier, kept with the code) and
   bench/out/results-<tier>.json. A miss does not stop the run: the figures are written all
   the same.

Every request goes to 127.0.0.1, and every run is bounded in time."""

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from bench.cold import COLD_HEADER
from bench.loadgen import open_loop

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
HOST = "127.0.0.1"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "cop_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# How long gunicorn is given to answer its first request.
STARTUP_S = 180

# The targets, checked at the end of each run: warm throughput against B1, per kind of
# page; B2 against B1; p95 at a quarter of B1's rate; the fall in a page's ratio from S to M.
MAX_QUERIES = 10
MIN_RATIO = {"page": 0.5, "search": 0.25}
MIN_B2_RATIO = 0.8
MAX_P95_MS = {"page": 100, "search": 300}
MAX_RATIO_DROP = 0.10
LATENCY_SHARE_OF_B1 = 4  # latency runs at B1's rps divided by this
COLD_HEADERS = {COLD_HEADER: "1"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def log(message: str) -> None:
    print(message, flush=True)


def pg_admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own command


def redis_flush(url: str) -> None:
    """Empty the Redis database at `url` (the run's own), or stop if Redis does not answer."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).flushdb()
    except redis.exceptions.ConnectionError as error:
        raise SystemExit(
            f"Cannot reach Redis at {url}: {error} (make bench and make loadtest start one "
            "when missing)"
        ) from error


def portal_env(settings_module: str, database_url: str, redis_url: str) -> dict:
    """The environment the portal runs in (in this process too, which it updates): production's
    settings through `settings_module`, a fresh SECRET_KEY, the run's own database and Redis."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BENCH_DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    os.environ.update(env)
    return env


def migrate_and_seed(env: dict, tier: str) -> None:
    """Fill the (empty) database that `env` points at with the synthetic CoP of `tier`, then
    VACUUM ANALYZE it, as autovacuum would have left a live database.
    Also used by `make loadtest` (loadtest/run.py)."""
    manage("migrate", "--no-input", "-v0", env=env)
    seed = [PYTHON, "-m", "bench.seed", "--tier", tier]
    subprocess.run(seed, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own seeder
    with psycopg.connect(env["BENCH_DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def session_cookie(user) -> str:
    """A signed-in session for `user`, made directly in the session store (Django set up):
    the `Cookie` header's value."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def browser_cookies(user) -> str:
    """The `Cookie` header of a browser signed in as `user`: the session, and the CSRF cookie
    that the portal's first page set and a browser sends back (without it, every page would
    make a new CSRF secret and set it again, which no browser makes the portal do)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    secret = get_random_string(32, string.ascii_letters + string.digits)
    return f"{session_cookie(user)}; {settings.CSRF_COOKIE_NAME}={secret}"


# The pages ---------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: str  # "member", "organiser" or "" (signed out)
    kind: str = "page"  # "search" for the searches, which have looser targets


def prepare(tier: str, skip=()) -> tuple[list[Page], dict[str, str], dict[str, dict]]:
    """In this process, with Django set up on the benchmark's database: the fortunes table,
    the two people and their session cookies, the pages, and each page's query count, warm and
    cold (B2 among them)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from bench.seed.seeder import COMMON_TERM, RARE_TERM, TYPO_TERM
    from bench.views import FORTUNE_TABLE, FORTUNES
    from events.models import Event, Registration
    from members.models import User
    from members.roles import ORGANISERS
    from resources.models import Resource
    from surveys.models import Survey
    from surveys.services.results import results_prepare

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FORTUNE_TABLE} "
            "(id integer PRIMARY KEY, message text NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {FORTUNE_TABLE}")
        for n, message in enumerate(FORTUNES, start=1):
            cursor.execute(f"INSERT INTO {FORTUNE_TABLE} VALUES (%s, %s)", [n, message])  # noqa: S608

    now = timezone.now()
    open_survey = (
        Survey.objects.filter(
            status="published", kind="check_in", opens_at__lte=now, closes_at__gt=now
        )
        .order_by("-opens_at", "pk")
        .first()
    )
    # A regular: the member invited to the open survey (not yet answered) with most bookings.
    member = (
        User.objects.filter(
            is_active=True,
            groups__isnull=True,
            survey_invitations__survey=open_survey,
            survey_invitations__responded=False,
        )
        .annotate(bookings=Count("registrations", distinct=True))
        .order_by("-bookings", "pk")
        .first()
    )
    organiser = User.objects.filter(groups__name=ORGANISERS, is_active=True).order_by("pk").first()
    upcoming = Event.objects.filter(status="published", caucus__isnull=True, starts_at__gt=now)
    event = (
        upcoming.filter(
            registrations__member=member, registrations__status=Registration.Status.CONFIRMED
        )
        .order_by("starts_at", "pk")
        .first()
    ) or upcoming.order_by("starts_at", "pk").first()
    resource = (
        Resource.objects.filter(status="published", kind="recording", audience="members")
        .exclude(transcript="")
        .filter(Q(event__isnull=True) | Q(event__caucus__isnull=True))
        .order_by("-published_on", "pk")
        .first()
    )
    results_survey = (
        Survey.objects.filter(kind="check_in", closes_at__lte=now, is_template=False)
        .annotate(n=Count("responses"))
        .order_by("-n", "pk")
        .first()
    )
    pages = [
        Page("home", reverse("members:home"), "member"),
        Page("programme", reverse("events:programme"), "member"),
        Page("event", event.get_absolute_url(), "member"),
        Page("browse", reverse("resources:browse"), "member"),
        Page("search-common", f"{reverse('resources:search')}?q={COMMON_TERM}", "member", "search"),
        Page("search-rare", f"{reverse('resources:search')}?q={RARE_TERM}", "member", "search"),
        Page("search-typo", f"{reverse('resources:search')}?q={TYPO_TERM}", "member", "search"),
        Page("resource", resource.get_absolute_url(), "member"),
        Page("survey-form", open_survey.get_absolute_url(), "member"),
        Page("survey-results", reverse("surveys:results", args=[results_survey.pk]), "organiser"),
        Page("dashboard", reverse("members:dashboard"), "organiser"),
        Page("profile", reverse("members:profile"), "member"),
    ]

    pages = [page for page in pages if page.name not in skip]
    cookies = {"member": browser_cookies(member), "organiser": browser_cookies(organiser)}

    queries = {}
    sql_dir = OUT / f"queries-{tier}"
    shutil.rmtree(sql_dir, ignore_errors=True)
    sql_dir.mkdir(parents=True)
    measured = [Page("B2", reverse("bench_b2"), "member"), *pages]
    clients = {}
    for page in measured:
        client = clients[page.name] = Client(headers=PROXY_HEADERS)
        if page.who:
            client.cookies.load(cookies[page.who])
        # The first view with nothing kept (once the dashboard's figures or a closed survey's
        # results have expired, say): the code and templates loaded by a request first, then
        # the cache emptied; counted and timed once, here, in this process.
        client.get(page.path, secure=True)
        cache.clear()
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            client.get(page.path, secure=True)
        queries[page.name] = {
            "first_view_ms": round(1000 * (time.perf_counter() - began)),
            "first": len(captured.captured_queries),
        }
    if "survey-results" in queries:
        # A large survey's results are prepared by a worker: that is done here, timed, as the
        # worker would (its first view above queued it and says "being prepared"), once the
        # cache has been emptied for the last time, so that the page measured shows them.
        began = time.perf_counter()
        results_prepare(survey_id=results_survey.pk, see_everything=False)
        queries["survey-results"]["prepared_s"] = round(time.perf_counter() - began, 1)
    # Then warm and cold, every page's kept answers worked out again after the last emptying
    # (and left in the cache for the server, as a portal in use has them).
    for page in measured:
        client = clients[page.name]
        client.get(page.path, secure=True)  # warm: the next request is the one counted
        for mode, headers in (("warm", {}), ("cold", COLD_HEADERS)):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page.path, secure=True, headers=headers)
            if response.status_code != 200:
                raise SystemExit(
                    f"{page.name} ({page.path}) answered {response.status_code}, not 200"
                )
            if page.name == "survey-results" and b"being prepared" in response.content:
                raise SystemExit("survey-results shows no results: the benchmark would time the "
                                 "page that says they are being prepared")  # fmt: skip
            queries[page.name][mode] = len(captured.captured_queries)
            suffix = "" if mode == "warm" else "-cold"
            (sql_dir / f"{page.name}{suffix}.sql").write_text(
                "\n\n".join(f"-- {q['time']}s\n{q['sql']};" for q in captured.captured_queries)
            )
    connection.close()
    return pages, cookies, queries


# Load ---------------------------------------------------------------------------------------------


def wrk(
    url: str, *, seconds: float, connections: int, cookie: str = "", cold: bool = False
) -> dict:
    headers = [f"{name}: {value}" for name, value in PROXY_HEADERS.items()]
    if cold:
        headers += [f"{name}: {value}" for name, value in COLD_HEADERS.items()]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "30s",
                   "-s", script.name]  # fmt: skip
        for header in headers:
            command += ["-H", header]
        output = subprocess.run(  # noqa: S603 - wrk, with arguments made here
            [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
        ).stdout
    finally:
        os.unlink(script.name)
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    # Non-2xx answers or refused connections mean the run measured the wrong thing; a request
    # slower than wrk's timeout (30s) only means a very slow page, and is left in the count.
    if summary["status"] or summary["connect"]:
        raise SystemExit(f"wrk saw errors on {url}: {summary}")
    return summary


def wait_until_idle(base: str, *, limit: float = 60.0) -> None:
    """After an overload, wait until the server answers B0 quickly again: requests given up
    by the load generator may still be queued at it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        began = time.perf_counter()
        try:
            urllib.request.urlopen(_request(base + "/bench/b0/"), timeout=5).read()  # noqa: S310 - loopback
        except OSError:
            time.sleep(0.5)
            continue
        if time.perf_counter() - began < 0.05:
            return
        time.sleep(0.5)


def prime(url: str, headers: dict, *, count: int) -> None:
    """`count` requests for `url`, one after another."""
    for _ in range(count):
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
        urllib.request.urlopen(request, timeout=30).read()  # noqa: S310 - loopback only


def _request(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers=PROXY_HEADERS)  # noqa: S310 - loopback only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict,
    port: int,
    workers: int,
    *,
    log_path: Path = OUT / "gunicorn.log",
    own_group: bool = False,
) -> subprocess.Popen:
    """gunicorn as in production, on 127.0.0.1:`port`, once it answers B0 (bench/urls.py).
    `own_group`: in a process group of its own, which the load test kills whole (os.killpg).

    But for one setting: no worker is replaced after a number of requests (gunicorn.conf.py's
    max_requests, 20,000). The benchmark sends about 25,000 requests a page, so every worker
    was replaced every two or three pages, all four within seconds of each other, each taking
    over a second of CPU to load the portal: whichever page was being measured then lost a
    quarter to a half of its throughput (at S, the programme and the dashboard). In production
    20,000 requests a worker take days."""
    env = {**env, "GUNICORN_MAX_REQUESTS": "0"}
    with log_path.open("w") as log_file:  # gunicorn keeps its own copy of the file
        server = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn, arguments made here
            [str(Path(PYTHON).parent / "gunicorn"), "cop_portal.wsgi:application",
             "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )  # fmt: skip
    try:
        # A minute is plenty on a quiet machine; on one other work keeps busy, importing the
        # portal in each worker has taken longer.
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped at once: see {log_path}")
            try:
                urllib.request.urlopen(_request(f"http://{HOST}:{port}/bench/b0/"), timeout=2)  # noqa: S310
                return server
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {STARTUP_S} seconds")
    except BaseException:  # also an interruption (Ctrl-C, the load test's time limit)
        stop(server)
        raise


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def machine_description(admin_url: str = ADMIN_URL) -> str:
    """Cores, CPU, memory, OS, Python and PostgreSQL (asked at `admin_url`)."""
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    with psycopg.connect(admin_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}"
    )


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def machine(workers: int, connections: int) -> str:
    return (
        f"{machine_description()}; gunicorn {workers} sync workers, wrk -c{connections}, "
        "all on one machine"
    )


# The run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", choices=["S", "M", "L"], default="M")
    parser.add_argument("--seconds", type=int, default=3, help="each wrk run")
    parser.add_argument("--connections", type=int, default=8, help="wrk's concurrency")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--latency-seconds", type=float, default=5, help="each open-loop run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--reuse-db", action="store_true", help="keep the database of the last run at this tier"
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="PAGE",
        help="leave a page out (its name in the table; repeatable), recorded in the results",
    )
    args = parser.parse_args()
    began = time.monotonic()
    # Stopped from outside (`kill`, `timeout`): stop gunicorn too, as at the end of a run.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    OUT.mkdir(parents=True, exist_ok=True)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench installs it)")
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        raise SystemExit(f"Cannot reach PostgreSQL at 127.0.0.1:5432: {error}") from error

    # Production keeps sessions, permissions and kept figures in Redis, shared by the workers:
    # the benchmark does too, in a Redis database of its own, emptied first.
    redis_flush(REDIS_URL)
    env = portal_env("bench.settings", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}", REDIS_URL)

    marker = OUT / "database-tier"
    if not (args.reuse_db and marker.exists() and marker.read_text() == args.tier):
        marker.unlink(missing_ok=True)
        log(f"Making the database {DB_NAME} afresh, tier {args.tier}…")
        pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {DB_NAME}")
        migrate_and_seed(env, args.tier)
        marker.write_text(args.tier)
    manage("collectstatic", "--no-input", "-v0", env=env)
    log(f"  ready in {time.monotonic() - began:.0f}s")

    pages, cookies, queries = prepare(args.tier, skip=set(args.skip))
    load_before = load_average()
    if load_before[0] > 1:
        log(f"  Note: the load average is {load_before[0]} before the run: others are busy here.")
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(env, port, args.workers)
    meter = None
    try:
        meter = CpuMeter(server.pid, DB_NAME)
        results = measure(args, base, pages, cookies, meter)
    finally:
        if meter is not None:
            meter.close()
        stop(server)
    results = {
        "tier": args.tier,
        "skipped": sorted(args.skip),
        "machine": machine(args.workers, args.connections),
        # The machine may be shared: a load average well above 0 means others were busy too.
        # 1, 5 and 15 minutes, when the measuring began and when it ended, on this many cores.
        "load_average": {
            "cores": os.cpu_count(),
            "before": load_before,
            "after": load_average(),
        },
        **results,
    }
    results["baseline"]["B2_queries"] = queries["B2"]
    for page in results["pages"]:
        page["queries"] = queries[page["name"]]["warm"]
        page["queries_cold"] = queries[page["name"]]["cold"]
        page["queries_first"] = queries[page["name"]]["first"]
        page["first_view_ms"] = queries[page["name"]]["first_view_ms"]
        if "prepared_s" in queries[page["name"]]:
            page["prepared_in_background_s"] = queries[page["name"]]["prepared_s"]
    results["seconds"] = round(time.monotonic() - began)
    email = keep_results(results)  # and works out its misses
    (OUT / f"results-{args.tier}.json").write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    if email:
        email_summary(email)
    log(f"\nWrote bench/results.json in {results['seconds']}s.")


# S and M are each held to the fall in a page's ratio from one to the other.
COMPARED_WITH = {"S": "M", "M": "S"}


def keep_results(results: dict, path: Path = ROOT / "bench" / "results.json") -> dict | None:
    """Keep a run's figures with the code (the README's table comes from here): the latest run
    at each tier under "tiers", beside the email benchmark's (`make bench-email`,
    bench/email_drain.py), which this leaves as it was and returns. Works out the run's misses,
    against the latest run at the tier it is compared with, and that run's again against it."""
    kept = json.loads(path.read_text()) if path.exists() else {}
    tiers = kept.get("tiers", {})
    tiers[results["tier"]] = results
    other = tiers.get(COMPARED_WITH.get(results["tier"], ""))
    results["misses"] = all_misses(results, other)
    if other is not None:
        other["misses"] = all_misses(other, results)
    email = kept.get("email")
    whole = {"latest": results["tier"], "tiers": dict(sorted(tiers.items()))}
    path.write_text(json.dumps({**whole, **({"email": email} if email else {})}, indent=2) + "\n")
    return email


def measure(args, base: str, pages: list[Page], cookies: dict, meter: "CpuMeter") -> dict:
    seconds, connections = args.seconds, args.connections
    b0, b1, b2 = (f"{base}/bench/{name}/" for name in ("b0", "b1", "b2"))
    member = cookies["member"]
    log("Baselines…")
    wrk(b1, seconds=1, connections=connections)
    wrk(b0, seconds=1, connections=connections)
    wrk(b2, seconds=1, connections=connections, cookie=member)
    b0_runs = [
        wrk(b0, seconds=seconds, connections=connections)["rps"] for _ in range(args.repetitions)
    ]
    b1_cpu, b2_cpu = CpuTally(), CpuTally()
    b1_runs, b2_runs, b2_ratios = [], [], []
    # Alternating, as the pages do, and B1 once more at the end: each B2 run is compared with
    # the B1 runs either side of it, so that the machine speeding up or slowing down over the
    # seconds of one repetition does not count for or against it.
    b1_runs.append(metered(meter, b1_cpu, b1, seconds=seconds, connections=connections))
    for _ in range(args.repetitions):
        b2_runs.append(
            metered(meter, b2_cpu, b2, seconds=seconds, connections=connections, cookie=member)
        )
        b1_runs.append(metered(meter, b1_cpu, b1, seconds=seconds, connections=connections))
        b2_ratios.append(against(b2_runs[-1], *b1_runs[-2:]))
    b0_rps, b1_rps = statistics.median(b0_runs), statistics.median(b1_runs)
    b2_rps = statistics.median(b2_runs)
    rate = b1_rps / LATENCY_SHARE_OF_B1
    log(
        f"  B0 {b0_rps:.0f} rps, B1 {b1_rps:.0f} rps, B2 {b2_rps:.0f} rps "
        f"(×{statistics.median(b2_ratios):.2f} B1); latency runs at {rate:.0f} requests/s"
    )

    # The load generator must not be what limits the latencies: at the same rate against B0
    # (no database, almost no work) its p99 should be a few milliseconds.
    check = open_loop(b0, rate=rate, duration=args.latency_seconds, headers=PROXY_HEADERS)
    generator = {
        "target": "B0",
        "offered_rps": round(rate),
        "achieved_rps": round(check.achieved_rps),
        "p50_ms": round(check.percentile(50), 1),
        "p99_ms": round(check.percentile(99), 1),
        "cpu_share_of_one_core": round(check.cpu_seconds / check.wall_seconds, 2),
    }
    log(f"  load generator check on B0: {generator}")

    def baselines() -> dict[str, float]:
        return {
            "B1": wrk(b1, seconds=seconds, connections=connections)["rps"],
            "B2": wrk(b2, seconds=seconds, connections=connections, cookie=member)["rps"],
        }

    rows = []
    for page in pages:
        url = base + page.path
        cookie = cookies.get(page.who, "")
        # Each mode warms every worker first, and a page slower than a few requests a second
        # gets fewer connections (one per worker) and longer runs, so that each run counts
        # enough answers to mean something.
        shape = {}
        for mode, cold in (("warm", False), ("cold", True)):
            first = wrk(url, seconds=2, connections=connections, cookie=cookie, cold=cold)
            shape[mode] = (seconds, connections)
            if first["rps"] < 4:
                shape[mode] = (max(seconds, 8), min(connections, args.workers))
            wait_until_idle(base)
        runs = {"warm": [], "cold": []}
        ratios = {(mode, b): [] for mode in runs for b in ("B1", "B2")}
        cpu = {"warm": CpuTally(), "cold": CpuTally()}
        # B1, B2, the page warm, the page cold, B1, B2, …, B1, B2: each run of the page is
        # compared with the baselines' runs either side of it (their mean), so that the machine
        # speeding up or slowing down over a repetition's seconds does not count for or against
        # the page.
        wait_until_idle(base)
        before = baselines()
        for _ in range(args.repetitions):
            measured = {}
            for mode in runs:
                wait_until_idle(base)  # a slow page's last requests may still be running
                page_seconds, page_connections = shape[mode]
                measured[mode] = metered(meter, cpu[mode], url, seconds=page_seconds,
                                         connections=page_connections, cookie=cookie,
                                         cold=mode == "cold")  # fmt: skip
                runs[mode].append(measured[mode])
            wait_until_idle(base)
            after = baselines()
            for mode, rps in measured.items():
                for name in ("B1", "B2"):
                    ratios[mode, name].append(against(rps, before[name], after[name]))
            before = after
        headers = {**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})}
        # An overloaded page cannot catch up: what is unanswered 3s after the last request was
        # due is given up (and counted at the time given up), to keep the run short.
        in_flight = 4 * args.workers  # past that, requests wait here (and that wait counts)
        latency = {}
        for mode, extra in (("warm", {}), ("cold", COLD_HEADERS)):
            if mode == "warm":
                # The last run was cold: what it retired is worked out again here, one request
                # at a time, so that the warm run measures kept pages, as the wrk runs' warm-up
                # does. Otherwise its first requests, all at once, would each work out the same
                # answers while the rest queue behind them: a stampede after a write, which
                # the cold run measures.
                prime(url, headers, count=2 * args.workers)
            latency[mode] = open_loop(
                url,
                rate=rate,
                duration=args.latency_seconds,
                headers={**headers, **extra},
                drain=3,
                max_in_flight=in_flight,
            )
            if latency[mode].incomplete or latency[mode].achieved_rps < 0.95 * rate:
                wait_until_idle(base)
        # And warm at half of the page's own capacity, which it can keep up with.
        own_rate = max(statistics.median(runs["warm"]) / 2, 0.2)
        own = open_loop(
            url,
            rate=own_rate,
            duration=args.latency_seconds,
            headers=headers,
            max_in_flight=in_flight,
        )
        if latency["warm"].non_2xx or latency["cold"].non_2xx or own.non_2xx:
            raise SystemExit(f"{page.name}: some responses were not 2xx")
        warm, cold = latency["warm"], latency["cold"]
        row = {
            "name": page.name,
            "path": page.path,
            "kind": page.kind,
            "rps": round(statistics.median(runs["warm"]), 1),
            "ratio_to_B1": round(statistics.median(ratios["warm", "B1"]), 3),
            "ratio_to_B2": round(statistics.median(ratios["warm", "B2"]), 3),
            "p50_ms": round(warm.percentile(50), 1),
            "p95_ms": round(warm.percentile(95), 1),
            "p99_ms": round(warm.percentile(99), 1),
            "latency_offered_rps": round(rate),
            "latency_achieved_rps": round(warm.achieved_rps),
            "latency_incomplete": warm.incomplete,
            "cpu_ms_per_request": cpu["warm"].per_request(),
            "cold": {
                "rps": round(statistics.median(runs["cold"]), 1),
                "ratio_to_B1": round(statistics.median(ratios["cold", "B1"]), 3),
                "ratio_to_B2": round(statistics.median(ratios["cold", "B2"]), 3),
                "p50_ms": round(cold.percentile(50), 1),
                "p95_ms": round(cold.percentile(95), 1),
                "p99_ms": round(cold.percentile(99), 1),
                "latency_achieved_rps": round(cold.achieved_rps),
                "latency_incomplete": cold.incomplete,
                "cpu_ms_per_request": cpu["cold"].per_request(),
            },
            "at_half_own_capacity": {
                "offered_rps": round(own_rate, 1),
                "achieved_rps": round(own.achieved_rps, 1),
                "p50_ms": round(own.percentile(50), 1),
                "p95_ms": round(own.percentile(95), 1),
                "p99_ms": round(own.percentile(99), 1),
            },
        }
        rows.append(row)
        log(
            f"  {page.name:<15} {row['rps']:>7.1f} rps  ×{row['ratio_to_B1']:.2f} B1  "
            f"×{row['ratio_to_B2']:.2f} B2  cold {row['cold']['rps']:.1f} rps; "
            f"p95 {row['p95_ms']:.0f} ms, cold {row['cold']['p95_ms']:.0f} ms (at {rate:.0f}/s); "
            f"CPU {row['cpu_ms_per_request']['total']:.1f} ms, "
            f"cold {row['cold']['cpu_ms_per_request']['total']:.1f} ms a request"
        )
    return {
        "baseline": {
            "B0_rps": round(b0_rps, 1),
            "B1_rps": round(b1_rps, 1),
            "B2_rps": round(b2_rps, 1),
            "B2_ratio_to_B1": round(statistics.median(b2_ratios), 3),
            "cpu_ms_per_request": {"B1": b1_cpu.per_request(), "B2": b2_cpu.per_request()},
        },
        "load_generator_check": generator,
        "method": {
            "throughput": f"wrk -t1 -c{connections}, {seconds:g}s per run, B1, B2, the page "
            f"warm and the page cold alternating, {args.repetitions} repetitions and the "
            "baselines once more at the end; each run of a page against the mean of the "
            "baselines' runs either side of it; medians",
            "cold": "each request first retires what the portal's writes retire in the cache "
            "(bench/cold.py: permissions, ground rules, the resource hub's totals and lists); "
            "the dashboard's figures and a closed survey's results, which only expire, stay "
            "kept (their cost once expired: queries_first, first_view_ms)",
            "latency": f"bench/loadgen.py open loop at {rate:.0f} requests/s (a quarter of B1) "
            f"for {args.latency_seconds:g}s, warm and cold, latency from when each request "
            f"was due; the warm run after {2 * args.workers} requests one at a time",
            "cpu": "user + system CPU time (/proc) of gunicorn (master and workers) and of the "
            "PostgreSQL backends of the benchmark's database over the page's wrk runs, divided "
            "by the requests answered",
            "queries": "Django test client + CaptureQueriesContext: the first request with "
            "the cache emptied (also timed: first_view_ms, in the benchmark's own process), "
            "then one warm, then one cold",
        },
        "pages": rows,
    }


def against(rps: float, before: float, after: float) -> float:
    """`rps` as a share of a baseline's, the mean of its runs just before and just after."""
    return rps / max(statistics.fmean([before, after]), 0.1)


def metered(meter: "CpuMeter", tally: "CpuTally", url: str, **options) -> float:
    """wrk `url`, adding the server's CPU time over the run to `tally`; returns the rps."""
    before = meter.sample()
    result = wrk(url, **options)
    tally.add(meter.since(before), result["requests"])
    return result["rps"]


# CPU --------------------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command's name (which may hold spaces)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time process `pid` has used, or None once it has gone."""
    fields = _stat_fields(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU time used by the gunicorn server (master and workers) and by the PostgreSQL backends
    connected to `database` (this meter's own connection is to another database)."""

    def __init__(self, server_pid: int, database: str, admin_url: str = ADMIN_URL):
        self.server_pid, self.database = server_pid, database
        self.conn = psycopg.connect(admin_url, autocommit=True)

    def sample(self) -> dict[str, dict[int, float]]:
        app = [self.server_pid, *children_of(self.server_pid)]
        backends = [
            pid
            for (pid,) in self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
            )
        ]
        return {
            side: {pid: cpu for pid in pids if (cpu := cpu_seconds(pid)) is not None}
            for side, pids in (("app", app), ("db", backends))
        }

    def since(self, before: dict) -> dict[str, float]:
        """CPU seconds used on each side since `before`: by the processes alive now (one started
        meanwhile counts from nothing; one gone meanwhile is lost, which CONN_MAX_AGE and
        gunicorn's long-lived workers make rare)."""
        after = self.sample()
        return {
            side: sum(cpu - before[side].get(pid, 0.0) for pid, cpu in after[side].items())
            for side in after
        }

    def close(self) -> None:
        self.conn.close()


class CpuTally:
    def __init__(self):
        self.app = self.db = 0.0
        self.requests = 0

    def add(self, used: dict[str, float], requests: int) -> None:
        self.app += used["app"]
        self.db += used["db"]
        self.requests += requests

    def per_request(self) -> dict[str, float]:
        """Milliseconds of CPU per request: in gunicorn, in PostgreSQL, and both."""
        count = max(self.requests, 1)
        return {
            "app": round(1000 * self.app / count, 2),
            "db": round(1000 * self.db / count, 2),
            "total": round(1000 * (self.app + self.db) / count, 2),
        }


# The report ---------------------------------------------------------------------------------------


def report(results: dict) -> None:
    base = results["baseline"]
    log(f"\nTier {results['tier']} — {results['machine']}")
    cpu = base["cpu_ms_per_request"]
    log(
        f"B0 {base['B0_rps']:.0f} rps · B1 {base['B1_rps']:.0f} rps "
        f"({cpu['B1']['total']:.1f} ms CPU) · B2 {base['B2_rps']:.0f} rps "
        f"({cpu['B2']['total']:.1f} ms CPU, {base['B2_queries']['warm']} queries, "
        f"{base['B2_queries']['cold']} cold), B2 ÷ B1 {base['B2_ratio_to_B1']:.2f}"
        + "".join(f"  MISS: {miss}" for miss in results["misses"]["baselines"])
    )
    load = results["load_average"]
    log(
        f"Load average (1, 5, 15 min) on {load['cores']} cores: {load['before']} before, "
        f"{load['after']} after"
    )
    header = (
        f"{'page':<15} {'rps':>6} {'÷B1':>5} {'÷B2':>5} {'cold':>6} {'÷B1':>5} {'÷B2':>5} "
        f"{'p50':>6} {'p95':>6} {'p99':>6} {'cold95':>6} {'½own95':>6} {'CPU':>5} {'cold':>5} "
        f"{'q':>8} {'1st ms':>6}  misses"
    )
    log(header)
    log("-" * len(header))
    for page in results["pages"]:
        misses = results["misses"]["pages"][page["name"]]
        cold = page["cold"]
        log(
            f"{page['name']:<15} {page['rps']:>6.1f} {page['ratio_to_B1']:>5.2f} "
            f"{page['ratio_to_B2']:>5.2f} {cold['rps']:>6.1f} {cold['ratio_to_B1']:>5.2f} "
            f"{cold['ratio_to_B2']:>5.2f} {page['p50_ms']:>6.0f} {page['p95_ms']:>6.0f} "
            f"{page['p99_ms']:>6.0f} {cold['p95_ms']:>6.0f} "
            f"{page['at_half_own_capacity']['p95_ms']:>6.0f} "
            f"{page['cpu_ms_per_request']['total']:>5.1f} "
            f"{cold['cpu_ms_per_request']['total']:>5.1f} "
            f"{page['queries']:>2}/{page['queries_cold']:>2}/{page['queries_first']:<2} "
            f"{page['first_view_ms']:>6}  {', '.join(misses) or 'none'}"
        )
    log(
        f"(rps ÷B1 ÷B2: warm, then cold, the first view after a write; p50/p95/p99: warm, ms at "
        f"{results['pages'][0]['latency_offered_rps']} requests/s, a quarter of B1; cold95: p95 "
        "cold at that rate; ½own95: p95 warm at half of the page's own rps; CPU: ms of CPU per "
        "request, gunicorn and PostgreSQL, warm and cold; q: SQL queries per request, warm/cold/"
        "first view with the cache empty; 1st ms: that first view's time, in one process)"
        + "".join(
            f"\n{page['name']}: prepared by the worker in {page['prepared_in_background_s']} s"
            for page in results["pages"]
            if "prepared_in_background_s" in page
        )
    )


def email_summary(email: dict) -> None:
    """One line for the last `make bench-email` run, which `make bench` does not repeat."""
    drains = ", ".join(
        f"{row['workers']} worker(s) {row['delivery_per_s']}/s" for row in email["drain"]
    )
    publish = ", ".join(
        f"{row['publish_ms_median']:.0f} ms at {row['members']:,}" for row in email["enqueue"]
    )
    log(
        f"Email ({email['date']}, make bench-email): publishing {publish} members; "
        f"{email['members']:,} messages delivered at {drains}"
    )


def all_misses(results: dict, other: dict | None) -> dict:
    """What misses the targets: the baselines, and each page (against `other`, the run it is
    compared with, when there is one)."""
    other_pages = {p["name"]: p for p in other["pages"]} if other else {}
    other_tier = other["tier"] if other else ""
    return {
        "baselines": baseline_misses(results["baseline"]),
        "pages": {
            page["name"]: misses_of(
                page, other_pages.get(page["name"]), results["tier"], other_tier
            )
            for page in results["pages"]
        },
    }


def baseline_misses(baseline: dict) -> list[str]:
    if baseline["B2_ratio_to_B1"] < MIN_B2_RATIO:
        return [f"B2 ÷ B1 < {MIN_B2_RATIO}"]
    return []


def misses_of(page: dict, other: dict | None, tier: str, other_tier: str) -> list[str]:
    """Which of the issue's targets this page misses, warm, at any tier; the S-to-M comparisons
    need a result at the other tier. Cold figures are reported beside, not held to a target."""
    kind = page["kind"]
    misses = []
    if page["queries"] > MAX_QUERIES:
        misses.append(f"queries>{MAX_QUERIES}")
    if page["ratio_to_B1"] < MIN_RATIO[kind]:
        misses.append(f"÷B1<{MIN_RATIO[kind]}")
    if page["p95_ms"] > MAX_P95_MS[kind]:
        misses.append(f"p95>{MAX_P95_MS[kind]}")
    if other is not None and {tier, other_tier} == {"S", "M"}:
        small, medium = (page, other) if tier == "S" else (other, page)
        if small["queries"] != medium["queries"]:
            misses.append("queries S≠M")
        if medium["ratio_to_B1"] < (1 - MAX_RATIO_DROP) * small["ratio_to_B1"]:
            misses.append(f"÷B1 fell {1 - medium['ratio_to_B1'] / small['ratio_to_B1']:.0%} S→M")
    return misses


if __name__ == "__main__":
    main()
