"""`make bench`: the portal's throughput and latency at one data tier, against two baselines.

    python -m bench.run --tier M      (what `make bench TIER=M` runs)

1. Drops and recreates the benchmark's own database (cop_bench), migrates it and fills it with
   `python -m bench.seed --tier` (bench/seed/), then VACUUM ANALYZE, as autovacuum would have left
   a live database.
2. Counts the SQL queries of one request to each page (Django's test client, in this process,
   against the same database), and saves their SQL under bench/out/.
3. Serves the portal as in production: production settings (bench/settings.py adds only the
   baselines), DEBUG off, gunicorn, static files through WhiteNoise after collectstatic, on
   127.0.0.1. HTTPS is taken as ended by a proxy: requests carry X-Forwarded-Proto: https.
4. Throughput: wrk (Debian's package) at a fixed concurrency, each page alternating with B1
   (B1, page, B1, page …), 3 repetitions; the median rps and the median page/B1 ratio.
5. Latency: bench/loadgen.py, open loop, at half of B1's capacity: p50/p95/p99 from when each
   request was due.
6. Prints a table, and writes bench/results.json (the latest run, kept with the code) and
   bench/out/results-<tier>.json, which the next run at another tier compares with.

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
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from bench.loadgen import open_loop

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
HOST = "127.0.0.1"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "cop_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

# The targets, checked at the end of each run.
MAX_QUERIES = 10
MIN_RATIO = {"page": 0.35, "heavy": 0.25}
MAX_P95_MS = {"page": 150, "heavy": 300}
MAX_RATIO_DROP = 0.20

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


# The pages ---------------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    path: str
    who: str  # "member", "organiser" or "" (signed out)
    kind: str = "page"  # "heavy" for search and the dashboard, which have looser targets


def prepare(tier: str) -> tuple[list[Page], dict[str, str], dict[str, int]]:
    """In this process, with Django set up on the benchmark's database: the fortunes table,
    the two people and their session cookies, the pages, and each page's query count."""
    import django

    django.setup()
    from django.conf import settings
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
        Page("search-common", f"{reverse('resources:search')}?q={COMMON_TERM}", "member", "heavy"),
        Page("search-rare", f"{reverse('resources:search')}?q={RARE_TERM}", "member", "heavy"),
        Page("search-typo", f"{reverse('resources:search')}?q={TYPO_TERM}", "member", "heavy"),
        Page("resource", resource.get_absolute_url(), "member"),
        Page("survey-form", open_survey.get_absolute_url(), "member"),
        Page("survey-results", reverse("surveys:results", args=[results_survey.pk]), "organiser"),
        Page("dashboard", reverse("members:dashboard"), "organiser", "heavy"),
        Page("profile", reverse("members:profile"), "member"),
    ]

    cookies = {"member": session_cookie(member), "organiser": session_cookie(organiser)}

    queries = {}
    sql_dir = OUT / f"queries-{tier}"
    shutil.rmtree(sql_dir, ignore_errors=True)
    sql_dir.mkdir(parents=True)
    for page in pages:
        client = Client(headers=PROXY_HEADERS)
        if page.who:
            client.cookies[settings.SESSION_COOKIE_NAME] = cookies[page.who].split("=", 1)[1]
        client.get(page.path, secure=True)  # warm: the second request is the one counted
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{page.name} ({page.path}) answered {response.status_code}, not 200")
        queries[page.name] = len(captured.captured_queries)
        (sql_dir / f"{page.name}.sql").write_text(
            "\n\n".join(f"-- {q['time']}s\n{q['sql']};" for q in captured.captured_queries)
        )
    connection.close()
    return pages, cookies, queries


# Load ---------------------------------------------------------------------------------------------


def wrk(url: str, *, seconds: float, connections: int, cookie: str = "") -> dict:
    headers = [f"{name}: {value}" for name, value in PROXY_HEADERS.items()]
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


def _request(url: str) -> urllib.request.Request:
    return urllib.request.Request(url, headers=PROXY_HEADERS)  # noqa: S310 - loopback only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, *, log_path: Path = OUT / "gunicorn.log"
) -> subprocess.Popen:
    """gunicorn as in production, on 127.0.0.1:`port`, once it answers B0 (bench/urls.py)."""
    with log_path.open("w") as log_file:  # gunicorn keeps its own copy of the file
        server = subprocess.Popen(  # noqa: S603 - the virtualenv's gunicorn, arguments made here
            [str(Path(PYTHON).parent / "gunicorn"), "cop_portal.wsgi:application",
             "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped at once: see {log_path}")
            try:
                urllib.request.urlopen(_request(f"http://{HOST}:{port}/bench/b0/"), timeout=2)  # noqa: S310
                return server
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 60 seconds")
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
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--latency-seconds", type=float, default=5, help="each open-loop run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--reuse-db", action="store_true", help="keep the database of the last run at this tier"
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

    pages, cookies, queries = prepare(args.tier)
    load_before = round(os.getloadavg()[0], 2)
    if load_before > 1:
        log(f"  Note: the load average is {load_before} before the run: others are busy here.")
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(env, port, args.workers)
    try:
        results = measure(args, base, pages, cookies)
    finally:
        stop(server)
    results = {
        "tier": args.tier,
        "machine": machine(args.workers, args.connections),
        # The machine may be shared: a load average well above 0 means others were busy too.
        "load_average_before_after": [load_before, round(os.getloadavg()[0], 2)],
        **results,
    }
    for page in results["pages"]:
        page["queries"] = queries[page["name"]]
    results["seconds"] = round(time.monotonic() - began)
    (OUT / f"results-{args.tier}.json").write_text(json.dumps(results, indent=2) + "\n")
    # The latest run's figures, kept with the code (the README's table comes from here), with
    # the email benchmark's (`make bench-email`, bench/email_drain.py), which this run leaves.
    latest = ROOT / "bench" / "results.json"
    email = json.loads(latest.read_text()).get("email") if latest.exists() else None
    latest.write_text(
        json.dumps({**results, **({"email": email} if email else {})}, indent=2) + "\n"
    )
    report(results)
    if email:
        email_summary(email)
    log(f"\nWrote bench/results.json in {results['seconds']}s.")


def measure(args, base: str, pages: list[Page], cookies: dict) -> dict:
    seconds, connections = args.seconds, args.connections
    b0, b1 = f"{base}/bench/b0/", f"{base}/bench/b1/"
    log("Baselines…")
    wrk(b1, seconds=1, connections=connections)
    wrk(b0, seconds=1, connections=connections)
    b0_runs = [
        wrk(b0, seconds=seconds, connections=connections)["rps"] for _ in range(args.repetitions)
    ]
    b1_runs = [
        wrk(b1, seconds=seconds, connections=connections)["rps"] for _ in range(args.repetitions)
    ]
    b0_rps, b1_rps = statistics.median(b0_runs), statistics.median(b1_runs)
    rate = b1_rps / 2
    log(f"  B0 {b0_rps:.0f} rps, B1 {b1_rps:.0f} rps; latency runs at {rate:.0f} requests/s")

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

    rows = []
    for page in pages:
        url = base + page.path
        cookie = cookies.get(page.who, "")
        warm = wrk(url, seconds=2, connections=connections, cookie=cookie)  # warms every worker
        # A page slower than a few requests a second gets fewer connections (one per worker)
        # and longer runs, so that each run counts enough answers to mean something.
        page_seconds, page_connections = seconds, connections
        if warm["rps"] < 4:
            page_seconds, page_connections = max(seconds, 8), min(connections, args.workers)
        page_runs, ratios = [], []
        for _ in range(args.repetitions):
            wait_until_idle(base)  # a slow page's last requests may still be running
            baseline = wrk(b1, seconds=seconds, connections=connections)["rps"]
            measured = wrk(url, seconds=page_seconds, connections=page_connections, cookie=cookie)[
                "rps"
            ]
            page_runs.append(measured)
            ratios.append(measured / max(baseline, 0.1))
        headers = {**PROXY_HEADERS, **({"Cookie": cookie} if cookie else {})}
        # An overloaded page cannot catch up: what is unanswered 3s after the last request was
        # due is given up (and counted at the time given up), to keep the run short.
        in_flight = 4 * args.workers  # past that, requests wait here (and that wait counts)
        latency = open_loop(
            url,
            rate=rate,
            duration=args.latency_seconds,
            headers=headers,
            drain=3,
            max_in_flight=in_flight,
        )
        if latency.incomplete or latency.achieved_rps < 0.95 * rate:
            wait_until_idle(base)
        # And at half of the page's own capacity, which it can keep up with.
        own_rate = max(statistics.median(page_runs) / 2, 0.2)
        own = open_loop(
            url,
            rate=own_rate,
            duration=args.latency_seconds,
            headers=headers,
            max_in_flight=in_flight,
        )
        if latency.non_2xx or own.non_2xx:
            raise SystemExit(f"{page.name}: some responses were not 2xx")
        row = {
            "name": page.name,
            "path": page.path,
            "kind": page.kind,
            "rps": round(statistics.median(page_runs), 1),
            "ratio_to_B1": round(statistics.median(ratios), 3),
            "p50_ms": round(latency.percentile(50), 1),
            "p95_ms": round(latency.percentile(95), 1),
            "p99_ms": round(latency.percentile(99), 1),
            "latency_offered_rps": round(rate),
            "latency_achieved_rps": round(latency.achieved_rps),
            "latency_incomplete": latency.incomplete,
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
            f"p95 {row['p95_ms']:.0f} ms (at {rate:.0f}/s), "
            f"{row['at_half_own_capacity']['p95_ms']:.0f} ms (at {own_rate:.0f}/s)"
        )
    return {
        "baseline": {"B0_rps": round(b0_rps, 1), "B1_rps": round(b1_rps, 1)},
        "load_generator_check": generator,
        "method": {
            "throughput": f"wrk -t1 -c{connections}, {seconds:g}s per run, B1 and page "
            f"alternating, {args.repetitions} repetitions, medians",
            "latency": f"bench/loadgen.py open loop at {rate:.0f} requests/s (half of B1) for "
            f"{args.latency_seconds:g}s, latency from when each request was due",
            "queries": "Django test client + CaptureQueriesContext, one warm request",
        },
        "pages": rows,
    }


# The report ---------------------------------------------------------------------------------------


def report(results: dict) -> None:
    base = results["baseline"]
    log(f"\nTier {results['tier']} — {results['machine']}")
    log(f"B0 {base['B0_rps']:.0f} rps · B1 {base['B1_rps']:.0f} rps")
    other_tier = {"S": "M", "M": "S", "L": "M"}[results["tier"]]
    other_file = OUT / f"results-{other_tier}.json"
    other = {}
    if other_file.exists():
        other = {p["name"]: p for p in json.loads(other_file.read_text())["pages"]}
    log(f"Load average (1 min) before and after: {results['load_average_before_after']}")
    header = (
        f"{'page':<15} {'rps':>7} {'÷B1':>5} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'½own p95':>8} {'q':>3}  misses"
    )
    log(header)
    log("-" * len(header))
    for page in results["pages"]:
        misses = misses_of(page, other.get(page["name"]), results["tier"], other_tier)
        log(
            f"{page['name']:<15} {page['rps']:>7.1f} {page['ratio_to_B1']:>5.2f} "
            f"{page['p50_ms']:>7.1f} {page['p95_ms']:>7.1f} {page['p99_ms']:>7.1f} "
            f"{page['at_half_own_capacity']['p95_ms']:>8.1f} "
            f"{page['queries']:>3}  {', '.join(misses) or 'none'}"
        )
    log(
        f"(p50/p95/p99: ms at {results['pages'][0]['latency_offered_rps']} requests/s, half of "
        "B1; ½own p95: ms at half of the page's own rps; q: SQL queries per request)"
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


def misses_of(page: dict, other: dict | None, tier: str, other_tier: str) -> list[str]:
    """Which of the issue's targets this page misses. Throughput and latency targets are for
    tier M; the S-to-M comparisons need a result at the other tier."""
    kind = page["kind"]
    misses = []
    if page["queries"] > MAX_QUERIES:
        misses.append(f"queries>{MAX_QUERIES}")
    if tier == "M":
        if page["ratio_to_B1"] < MIN_RATIO[kind]:
            misses.append(f"ratio<{MIN_RATIO[kind]}")
        if page["p95_ms"] >= MAX_P95_MS[kind]:
            misses.append(f"p95≥{MAX_P95_MS[kind]}")
    if other is not None and {tier, other_tier} == {"S", "M"}:
        small, medium = (page, other) if tier == "S" else (other, page)
        if small["queries"] != medium["queries"]:
            misses.append("queries S≠M")
        if medium["ratio_to_B1"] < (1 - MAX_RATIO_DROP) * small["ratio_to_B1"]:
            misses.append(f"ratio fell {1 - medium['ratio_to_B1'] / small['ratio_to_B1']:.0%} S→M")
    return misses


if __name__ == "__main__":
    main()
