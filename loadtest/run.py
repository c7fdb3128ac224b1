"""`make loadtest`: 50 simulated members for 2 minutes, with the database and Redis restarted.

    python -m loadtest.run            (what `make loadtest` runs; TIER=S|M|L, default M)

1. Starts a throwaway PostgreSQL 15 cluster of its own (loadtest/cluster.py) on a free port of
   127.0.0.1: the machine's shared cluster on 5432 is never touched, let alone restarted.
2. Migrates it and fills it with the benchmark's synthetic CoP (`python -m bench.seed --tier`, as
   `make bench` does), then VACUUM ANALYZE. Gives the simulated members a password and a verified
   email address, and writes the plan the locustfile follows (loadtest/out/plan.json).
3. Serves the portal as `make bench` does: production's settings (DEBUG off, CONN_MAX_AGE and
   CONN_HEALTH_CHECKS as in production, the shared cache in a throwaway Redis of its own on a
   free port, never the machine's), gunicorn with sync workers, on 127.0.0.1.
4. Runs locust headless (loadtest/locustfile.py): 50 members, signing in first, then browsing,
   searching, registering and cancelling, and answering surveys, for 2 minutes.
5. At 60 seconds stops PostgreSQL (pg_ctl stop -m fast), waits 5 seconds and starts it again,
   while a probe asks for a page every quarter of a second to time the portal's recovery. At 90
   seconds does the same to Redis (stopped for 3 seconds; it keeps nothing on disk, so it comes
   back empty: sessions live on in the database behind the cache). The portal (gunicorn) is not
   restarted.
6. Checks that no write the portal acknowledged was lost: every registration and cancellation
   confirmed on the page after it is in the database as confirmed; every survey answer that
   reached the thank-you page has its invitation marked answered, and each survey has at least
   as many new responses as were acknowledged (and no more than were sent).
7. Prints requests/s, p50, p95, p99 and the failure ratio before, during and after the restart,
   the time to recover and the lost-writes check, and writes loadtest/out/results.json.

Every request goes to 127.0.0.1; every step is bounded in time, and the whole run by --timeout."""

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import redis

from bench.loadgen import nearest_rank
from bench.run import (
    PROXY_HEADERS,
    free_port,
    log,
    machine_description,
    manage,
    migrate_and_seed,
    portal_env,
    redis_flush,
    session_cookie,
    start_gunicorn,
    stop,
)
from loadtest.cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "loadtest" / "out"
DB_NAME = "cop_load"
# Production's shared cache (sessions, permissions, rate limits): a Redis server of the load
# test's own (it is stopped and started again mid-run, so never the machine's shared one).
REDIS_SERVER = "redis-server"
LOCUST = Path(sys.executable).parent / "locust"  # the virtualenv's, beside its gunicorn
FRIENDLY_503 = "The portal is back in a moment"
SEARCH_TERMS = ["racism", "windrush", "maternity", "allyship", "mental health", "workforce"]
MAX_FAILURE_RATIO = 0.01  # the target, over the whole run


class Timeout(Exception):
    """The run passed its time limit, or was asked to stop."""


def _alarm(signum, frame):
    raise Timeout


# The plan --------------------------------------------------------------------------------------


def prepare(members: int, out: Path, sign_in: str) -> dict:
    """In this process, with Django set up on the load test's database: choose the members, give
    them a password and a verified email address, and write what each of them will do."""
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db.models import Count, Q
    from django.utils import timezone

    from events.models import Event, Registration
    from members.models import User
    from resources.models import Resource
    from surveys.models import Invitation, Question, Survey

    now = timezone.now()
    open_surveys = Survey.objects.filter(
        status=Survey.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now
    ).exclude(kind=Survey.Kind.CAUCUS)
    waiting = Q(survey_invitations__survey__in=open_surveys, survey_invitations__responded=False)
    people = list(
        User.objects.filter(is_active=True, groups__isnull=True)
        .annotate(waiting=Count("survey_invitations", filter=waiting, distinct=True))
        .order_by("-waiting", "pk")[: members + 1]
    )
    if len(people) < members + 1:
        raise SystemExit(f"The data set has fewer than {members + 1} members to sign in")
    probe, people = people[0], people[1:]
    password = secrets.token_urlsafe(16)
    # One hash for all: hashing 50 times would take a minute of CPU with production's hasher.
    hashed = make_password(password)
    User.objects.filter(pk__in=[p.pk for p in people]).update(password=hashed)
    for person in people:
        person.password = hashed  # a session's check on the member is made from the password
    for person in people:
        EmailAddress.objects.update_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )

    upcoming = [
        e
        for e in Event.objects.filter(
            status=Event.Status.PUBLISHED, caucus__isnull=True, starts_at__gt=now
        ).order_by("starts_at", "pk")
        if e.registration_is_open(now)
    ]
    active = {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED}
    booked = set(
        Registration.objects.filter(
            member__in=people, event__in=upcoming, status__in=active
        ).values_list("member_id", "event_id")
    )
    answers = {}
    for survey in open_surveys.prefetch_related("questions__choices"):
        payload = {}
        for question in survey.questions.all():
            field = f"q{question.pk}"
            choices = [str(c.pk) for c in question.choices.all()]
            if question.kind == Question.Kind.AGREEMENT:
                payload[field] = "4"
            elif question.kind == Question.Kind.NPS:
                payload[field] = "8"
            elif question.kind == Question.Kind.SINGLE and choices:
                payload[field] = choices[0]
            elif question.kind == Question.Kind.MULTIPLE and choices:
                payload[field] = choices[:2]
            elif question.kind == Question.Kind.TEXT:
                payload[field] = "More time in small groups, please, and the slides afterwards."
        answers[survey.pk] = (survey.slug, payload)
    invitations = Invitation.objects.filter(
        member__in=people, survey__in=open_surveys, responded=False
    ).values_list("member_id", "survey_id")
    surveys_of: dict[int, list] = {}
    for member_id, survey_id in invitations:
        slug, payload = answers[survey_id]
        surveys_of.setdefault(member_id, []).append({"slug": slug, "answers": payload})

    resources = list(
        Resource.objects.filter(status="published", audience="members")
        .filter(Q(event__isnull=True) | Q(event__caucus__isnull=True))
        .order_by("-published_on", "pk")
        .values_list("slug", flat=True)[:300]
    )
    plan = {
        "password": password,
        "sign_in": sign_in,
        "members": [
            {
                "email": p.email,
                # For --sign-in session: a session made in the store, as `make bench` does.
                "session": session_cookie(p) if sign_in == "session" else "",
                "events": [e.slug for e in upcoming if (p.pk, e.pk) not in booked],
                "surveys": surveys_of.get(p.pk, []),
            }
            for p in people
        ],
        "events": [e.slug for e in upcoming],
        "resources": resources,
        "search_terms": SEARCH_TERMS,
        "probe_cookie": session_cookie(probe),
        "responses_before": {
            s.slug: s.n + s.waiting
            for s in open_surveys.annotate(
                n=Count("responses", distinct=True),
                waiting=Count("sealed_responses", distinct=True),
            )
        },
    }
    out.write_text(json.dumps(plan, indent=1))
    connection.close()
    return plan


# The restart and the probe ---------------------------------------------------------------------


class Probe(threading.Thread):
    """Asks for a signed-in page every quarter of a second; keeps (time, status, friendly)."""

    def __init__(self, url: str, cookie: str):
        super().__init__(daemon=True)
        self.url, self.cookie = url, cookie
        self.seen: list[tuple[float, int, bool]] = []
        self.ended: list[float] = []
        self.halt = threading.Event()

    def run(self):
        headers = {**PROXY_HEADERS, "Cookie": self.cookie}
        while not self.halt.is_set():
            began = time.time()
            request = urllib.request.Request(self.url, headers=headers)  # noqa: S310 - loopback
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    self.seen.append((began, response.status, False))
            except urllib.error.HTTPError as error:
                body = error.read().decode(errors="replace")
                self.seen.append((began, error.code, FRIENDLY_503 in body))
            except OSError:
                self.seen.append((began, 0, False))
            self.ended.append(time.time())
            self.halt.wait(max(0.0, 0.25 - (time.time() - began)))

    def first_success_after(self, moment: float) -> tuple[float, float] | None:
        """When the first request sent after `moment` that succeeded was sent, and answered."""
        return next(
            ((t, end) for (t, status, _), end in zip(self.seen, self.ended, strict=True)
             if t >= moment and status == 200),
            None,
        )  # fmt: skip


class RedisServer:
    """A throwaway Redis on 127.0.0.1:`port`, in memory only, that can be stopped and started."""

    def __init__(self, port: int, log_path: Path):
        self.port, self.log_path, self.process = port, log_path, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with self.log_path.open("a") as log_file:
            self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, fixed arguments
                [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                 "--appendonly", "no"],
                stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=1).ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise SystemExit(f"Redis did not start on port {self.port}: see {self.log_path}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def restart_redis(
    server: RedisServer, at: float, outage: float, marks: dict, halt: threading.Event
) -> None:
    """At `at`, stop Redis, wait `outage` seconds, start it again (empty, as a real restart of
    a Redis that keeps nothing on disk leaves it)."""
    if halt.wait(max(0.0, at - time.time())):
        return
    marks["redis_stop"] = time.time()
    log("  stopping Redis…")
    server.stop()
    if halt.wait(outage):
        return
    server.start()
    marks["redis_started"] = time.time()
    log(f"  Redis back after {marks['redis_started'] - marks['redis_stop']:.1f}s")


def restart_database(
    cluster: Cluster, at: float, outage: float, marks: dict, halt: threading.Event
) -> None:
    """At `at` (time.time()), stop PostgreSQL fast, wait `outage` seconds, start it again.
    Once `halt` is set (the run is ending), it starts nothing more: the clean-up removes the
    cluster, and a server started then would outlive its deleted folder."""
    if halt.wait(max(0.0, at - time.time())):
        return
    marks["db_stop"] = time.time()
    log("  stopping PostgreSQL (pg_ctl stop -m fast)…")
    cluster.stop("fast")
    marks["db_stopped"] = time.time()
    if halt.wait(outage):
        return
    marks["db_start"] = time.time()
    cluster.start()
    marks["db_started"] = time.time()
    log(f"  PostgreSQL back after {marks['db_started'] - marks['db_stop']:.1f}s")


# The figures -----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    return nearest_rank(sorted(values), pct) if values else 0.0


def phase(requests: list, start: float, end: float, *, ended_by: float | None = None) -> dict:
    """Requests that started in [start, end) (and, with `ended_by`, had finished by then)."""
    rows = [r for r in requests if start <= r[0] < end]
    if ended_by is not None:
        rows = [r for r in rows if r[0] + r[1] / 1000 < ended_by]
    seconds = max(end - start, 1e-9)
    failed = [r for r in rows if r[4]]
    times = [r[1] for r in rows]
    statuses: dict[str, int] = {}
    for r in failed:
        key = "503 friendly page" if r[5] else (str(r[3]) if r[3] else "no answer")
        statuses[key] = statuses.get(key, 0) + 1
    return {
        "seconds": round(seconds, 1),
        "requests": len(rows),
        "rps": round(len(rows) / seconds, 1),
        "p50_ms": round(percentile(times, 50)),
        "p95_ms": round(percentile(times, 95)),
        "p99_ms": round(percentile(times, 99)),
        "failures": len(failed),
        "failure_ratio": round(len(failed) / len(rows), 4) if rows else 0.0,
        "failures_by_kind": statuses,
    }


def check_writes(writes: list[dict], plan: dict) -> dict:
    """Every acknowledged write must be in the database (Django set up in this process)."""
    from django.db import connection
    from django.db.models import Count

    from events.models import Registration
    from surveys.models import Invitation, Survey

    connection.close()  # the connection made before the restart is gone
    lost, checked, unverifiable = [], 0, 0
    # Registrations and cancellations: the last write sent for each member and event decides
    # the state the database must hold; when that last one was not acknowledged it may or may
    # not have been applied, so that pair cannot be checked.
    last: dict[tuple[str, str], dict] = {}
    for write in writes:
        if write["kind"] in ("register", "cancel"):
            last[(write["email"], write["slug"])] = write
    for (email, slug), write in last.items():
        acknowledged_earlier = any(
            w["acknowledged"] for w in writes if (w["email"], w["slug"]) == (email, slug)
        )
        if not write["acknowledged"]:
            unverifiable += acknowledged_earlier
            continue
        status = (
            Registration.objects.filter(member__email=email, event__slug=slug)
            .values_list("status", flat=True)
            .first()
        )
        checked += 1
        expected = (
            {Registration.Status.CONFIRMED, Registration.Status.WAITLISTED}
            if write["kind"] == "register"
            else {Registration.Status.CANCELLED}
        )
        if status not in expected:
            lost.append({"write": write, "found": status})
    registrations = {
        "acknowledged": sum(w["acknowledged"] for w in writes if w["kind"] == "register"),
        "cancellations_acknowledged": sum(
            w["acknowledged"] for w in writes if w["kind"] == "cancel"
        ),
        "sent": sum(1 for w in writes if w["kind"] in ("register", "cancel")),
        "pairs_checked": checked,
        "pairs_unverifiable": unverifiable,
        "lost": lost,
    }

    answers = [w for w in writes if w["kind"] == "answer"]
    acknowledged = [w for w in answers if w["acknowledged"]]
    missing = [
        w
        for w in acknowledged
        if not Invitation.objects.filter(
            survey__slug=w["slug"], member__email=w["email"], responded=True
        ).exists()
    ]
    # An anonymous answer is stored sealed until it is released with others: stored answers
    # are the responses plus those still waiting.
    counts = {
        slug: responses + sealed
        for slug, responses, sealed in Survey.objects.filter(slug__in=plan["responses_before"])
        .annotate(
            n=Count("responses", distinct=True), waiting=Count("sealed_responses", distinct=True)
        )
        .values_list("slug", "n", "waiting")
    }
    short = []
    for slug, before in plan["responses_before"].items():
        acked = sum(1 for w in acknowledged if w["slug"] == slug)
        sent = sum(1 for w in answers if w["slug"] == slug)
        new = counts.get(slug, 0) - before
        if not acked <= new <= sent:
            short.append({"survey": slug, "acknowledged": acked, "sent": sent, "new": new})
    surveys = {
        "acknowledged": len(acknowledged),
        "sent": len(answers),
        "invitations_not_marked": missing,
        "response_counts_wrong": short,
    }
    connection.close()
    return {
        "registrations": registrations,
        "survey_answers": surveys,
        "lost": len(lost) + len(missing) + len(short),
    }


# The steps both parts take (loadtest.balanced's too) -------------------------------------------
#
# Each part keeps its files apart under loadtest/out/ by what follows their stem: nothing for
# the restarts, "-balanced" for the two instances (plan.json, plan-balanced.json, …).


def part_file(stem: str, part: str = "", ext: str = "json") -> Path:
    return OUT / f"{stem}{part}.{ext}"


def forget_last_run(part: str = "") -> None:
    """Remove what the part's last run wrote, so that nothing of it is read as this run's."""
    for stem in ("requests", "writes", "results"):
        part_file(stem, part).unlink(missing_ok=True)


def add_arguments(parser: argparse.ArgumentParser, *, run_time: int) -> None:
    """The arguments both parts of the load test take; each adds its own after them."""
    parser.add_argument("--tier", choices=["T", "S", "M", "L"], default=os.environ.get("TIER", "M"))
    parser.add_argument("--users", type=int, default=50)
    # Signing in hashes the password (PBKDF2, about a second of CPU here): 2 a second keeps the
    # 50 sign-ins from queueing behind each other on 2 cores.
    parser.add_argument("--spawn-rate", type=float, default=2, help="members starting per second")
    parser.add_argument("--run-time", type=int, default=run_time, help="seconds of load")
    parser.add_argument("--wait", default="5,15", help="each member's pause between pages, s")
    parser.add_argument(
        "--sign-in",
        choices=["form", "session"],
        default="form",
        help="form: each member signs in through the sign-in page (the password hash costs about "
        "a second of CPU each); session: each starts with a session made in the store",
    )
    parser.add_argument("--timeout", type=int, default=1200, help="limit for the whole run, s")


def start_backends(
    cluster: Cluster, cache_server: "RedisServer", args, *, part: str = "", **settings: str
) -> tuple[dict, dict]:
    """Start the run's own Redis and PostgreSQL, seed the database at the tier (the portal's
    environment given `settings` too), collect the static files and write the members' plan:
    returns the portal's environment and the plan."""
    began = time.monotonic()
    cache_server.start()
    redis_flush(cache_server.url)
    log(f"Starting a throwaway PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.root})…")
    cluster.init()
    cluster.start()
    cluster.wait_up()
    cluster.admin(f"CREATE DATABASE {DB_NAME}")
    env = portal_env("loadtest.settings", cluster.url(DB_NAME), cache_server.url)
    env.update(settings)
    os.environ.update(settings)
    log(f"Seeding tier {args.tier}…")
    migrate_and_seed(env, args.tier)
    manage("collectstatic", "--no-input", "-v0", env=env)
    plan = prepare(args.users, part_file("plan", part), args.sign_in)
    log(f"  ready in {time.monotonic() - began:.0f}s")
    return env, plan


def start_locust(env: dict, base: str, args, *, part: str = "") -> subprocess.Popen:
    """locust, headless, sending `args.users` members to `base` for `args.run_time` seconds; what
    they did goes to the part's requests and writes files, its log to locust<part>.log."""
    locust_env = {
        **env,
        "LOADTEST_PLAN": str(part_file("plan", part)),
        "LOADTEST_REQUESTS": str(part_file("requests", part)),
        "LOADTEST_WRITES": str(part_file("writes", part)),
        "LOADTEST_WAIT": args.wait,
    }
    with part_file("locust", part, "log").open("w") as locust_log:  # locust keeps its own copy
        return subprocess.Popen(  # noqa: S603 - the virtualenv's locust, arguments made here
            [str(LOCUST), "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", f"{args.run_time}s", "--stop-timeout", "10", "--host", base,
             "--only-summary", "--csv", str(OUT / f"locust{part}"), "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, stdout=locust_log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for_locust(locust: subprocess.Popen, args, *, part: str = "") -> tuple[list, list]:
    """Wait for locust to end (killed if it runs 90 s past its time): what its members did,
    the requests and the writes."""
    see = f"see loadtest/out/locust{part}.log"
    try:
        locust.wait(timeout=args.run_time + 90)
    except subprocess.TimeoutExpired:
        stop_locust(locust)
        raise SystemExit(f"locust did not finish in time: {see}") from None
    requests, writes = part_file("requests", part), part_file("writes", part)
    if not requests.exists():
        raise SystemExit(f"locust wrote no requests: {see}")
    return json.loads(requests.read_text()), json.loads(writes.read_text())


def stop_locust(locust: subprocess.Popen | None) -> None:
    if locust is not None and locust.poll() is None:
        locust.kill()
        locust.wait()


# The run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, run_time=120)
    parser.add_argument("--restart-at", type=int, default=60, help="seconds into the load")
    parser.add_argument("--outage", type=float, default=5, help="seconds PostgreSQL stays down")
    parser.add_argument("--redis-restart-at", type=int, default=90, help="seconds into the load")
    parser.add_argument("--redis-outage", type=float, default=3, help="seconds Redis stays down")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    args = parser.parse_args()
    began = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _alarm)  # e.g. from `timeout`: clean up all the same
    signal.alarm(args.timeout)
    OUT.mkdir(parents=True, exist_ok=True)
    forget_last_run()

    cluster = Cluster(free_port(), log_path=OUT / "postgresql.log")
    cache_server = RedisServer(free_port(), log_path=OUT / "redis.log")
    server = locust = restarter = redis_restarter = None
    halt_restart = threading.Event()
    try:
        env, plan = start_backends(cluster, cache_server, args)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, args.workers, log_path=OUT / "gunicorn.log")
        load_before = round(os.getloadavg()[0], 2)
        probe = Probe(f"{base}/profile/", plan["probe_cookie"])
        marks: dict[str, float] = {}
        log(
            f"Load: {args.users} members for {args.run_time}s; PostgreSQL restarted at "
            f"{args.restart_at}s for {args.outage:g}s, Redis at {args.redis_restart_at}s for "
            f"{args.redis_outage:g}s…"
        )
        marks["load_start"] = time.time()
        locust = start_locust(env, base, args)
        probe.start()
        restarter = threading.Thread(
            target=restart_database,
            args=(cluster, marks["load_start"] + args.restart_at, args.outage, marks, halt_restart),
            daemon=True,
        )
        restarter.start()
        redis_restarter = threading.Thread(
            target=restart_redis,
            args=(cache_server, marks["load_start"] + args.redis_restart_at, args.redis_outage,
                  marks, halt_restart),
            daemon=True,
        )  # fmt: skip
        redis_restarter.start()
        requests, writes = wait_for_locust(locust, args)
        marks["load_end"] = time.time()
        restarter.join(timeout=120)
        redis_restarter.join(timeout=30)
        probe.halt.set()
        probe.join(timeout=10)
        if "db_started" not in marks:
            raise SystemExit("The database restart did not finish: see loadtest/out/")
        if "redis_started" not in marks:
            raise SystemExit("The Redis restart did not finish: see loadtest/out/")
        first = probe.first_success_after(marks["db_started"])
        results = summarise(args, marks, probe, first, requests)
        results["writes"] = check_writes(writes, plan)
        results["machine"] = (
            f"{machine_description(cluster.url('postgres'))}; gunicorn {args.workers} sync "
            f"workers; locust {args.users} users; all on one machine"
        )
        results["load_average_before_after"] = [load_before, round(os.getloadavg()[0], 2)]
    except Timeout:
        raise SystemExit(
            f"The load test passed its limit of {args.timeout}s and was stopped"
        ) from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
        stop_locust(locust)
        if server is not None:
            stop(server)
        halt_restart.set()
        if restarter is not None:
            restarter.join(timeout=150)  # a pg_ctl under way: at most its own 120 s
        if redis_restarter is not None:
            redis_restarter.join(timeout=30)
        cache_server.stop()
        cluster.remove()
    results["seconds"] = round(time.monotonic() - began)
    part_file("results").write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    log(f"\nWrote {part_file('results')} in {results['seconds']}s.")
    if (
        results["writes"]["lost"]
        or not results["recovery"]["recovered"]
        or not results["redis_recovery"]["recovered"]
    ):
        raise SystemExit(1)


def summarise(args, marks: dict, probe: Probe, first: tuple | None, requests: list) -> dict:
    start, end = marks["load_start"], marks["load_end"]
    recovered, answered = first or (None, None)
    stop_at = marks["db_stop"]
    after_from = recovered or marks["db_started"]
    # What the probe saw while the portal could not reach the database.
    outage_seen = [(t, s, f) for t, s, f in probe.seen if stop_at <= t < after_from]
    return {
        "tier": args.tier,
        "users": args.users,
        "run_time_s": args.run_time,
        "wait_s": args.wait,
        "sign_in": args.sign_in,
        "restart": {
            "at_s": round(stop_at - start, 1),
            "database_down_s": round(marks["db_started"] - stop_at, 1),
        },
        "recovery": {
            "recovered": recovered is not None,
            # From PostgreSQL accepting connections again to the portal's first page from it.
            "seconds_after_database_back": (
                round(recovered - marks["db_started"], 2) if recovered else None
            ),
            # ... and when that page arrived: it may have waited behind requests queued earlier.
            "answered_after_database_back_s": (
                round(answered - marks["db_started"], 2) if answered else None
            ),
            "probe_during_outage": {
                "requests": len(outage_seen),
                "friendly_503": sum(1 for _, s, f in outage_seen if s == 503 and f),
                "other": sum(1 for _, s, f in outage_seen if not (s == 503 and f)),
                # 0: no answer within the probe's 5 seconds (queued behind slower requests).
                "other_statuses": sorted(s for _, s, f in outage_seen if not (s == 503 and f)),
            },
        },
        # Before: finished before PostgreSQL stopped. After: started once the portal served
        # again. During: all the others, which the outage could touch.
        "redis_restart": {
            "at_s": round(marks["redis_stop"] - start, 1),
            "down_s": round(marks["redis_started"] - marks["redis_stop"], 1),
        },
        "redis_recovery": _redis_recovery(probe, marks),
        "phases": {
            "before": phase(requests, start, stop_at, ended_by=stop_at),
            "during": during(requests, start, after_from, stop_at),
            "after": phase(requests, after_from, end),
        },
        "whole_run": phase(requests, start, end),
        "outside_outages": outside_outages(requests, marks, after_from, probe),
        "by_name": by_name(requests),
    }


def outside_outages(requests: list, marks: dict, db_back: float, probe: Probe) -> dict:
    """Requests that met neither outage: none of their time fell between PostgreSQL's stop and
    the portal serving again, nor between Redis's stop and the portal serving again after it."""
    redis_first = probe.first_success_after(marks["redis_started"])
    redis_back = redis_first[0] if redis_first else marks["load_end"]
    windows = ((marks["db_stop"], db_back), (marks["redis_stop"], redis_back))
    clear = [
        r
        for r in requests
        if all(r[0] + r[1] / 1000 < opened or r[0] >= closed for opened, closed in windows)
    ]
    failures = sum(1 for r in clear if r[4])
    return {"requests": len(clear), "failures": failures,
            "failure_ratio": round(failures / max(1, len(clear)), 4)}  # fmt: skip


def _redis_recovery(probe: Probe, marks: dict) -> dict:
    """What the probe saw while Redis was down, and when the portal served again after it."""
    stop_at, back = marks["redis_stop"], marks["redis_started"]
    first = probe.first_success_after(back)
    outage_seen = [(t, s, f) for t, s, f in probe.seen if stop_at <= t < back]
    return {
        "recovered": first is not None,
        "seconds_after_redis_back": round(first[0] - back, 2) if first else None,
        "probe_during_outage": {
            "requests": len(outage_seen),
            "friendly_503": sum(1 for _, s, f in outage_seen if s == 503 and f),
            "ok": sum(1 for _, s, _ in outage_seen if s == 200),
            "other_statuses": sorted(s for _, s, f in outage_seen if s != 200 and not f),
        },
    }


def during(requests: list, start: float, after_from: float, stop_at: float) -> dict:
    touched = [r for r in requests if start <= r[0] < after_from and r[0] + r[1] / 1000 >= stop_at]
    row = phase(touched, start, after_from)
    # Its length is the outage's, from the stop to the first page served again.
    row["seconds"] = round(after_from - stop_at, 1)
    row["rps"] = round(row["requests"] / max(after_from - stop_at, 1e-9), 1)
    return row


def by_name(requests: list) -> dict:
    names = sorted({r[2] for r in requests})
    rows = {}
    for name in names:
        times = [r[1] for r in requests if r[2] == name]
        rows[name] = {
            "requests": len(times),
            "failures": sum(1 for r in requests if r[2] == name and r[4]),
            "p50_ms": round(percentile(times, 50)),
            "p95_ms": round(percentile(times, 95)),
            "median_ms": round(statistics.median(times)) if times else 0,
        }
    return rows


def report(results: dict) -> None:
    log(f"\nTier {results['tier']}, {results['users']} members signing in by "
        f"{results['sign_in']}, {results['run_time_s']}s — "
        f"{results['machine']}")  # fmt: skip
    log(f"Load average (1 min) before and after: {results['load_average_before_after']}")
    restart = results["restart"]
    log(f"PostgreSQL stopped at {restart['at_s']}s, down {restart['database_down_s']}s")
    header = f"{'phase':<8} {'seconds':>7} {'requests':>8} {'req/s':>6} {'p50':>6} {'p95':>6} " \
             f"{'p99':>6} {'failed':>7}  failures"  # fmt: skip
    log(header)
    log("-" * len(header))
    for name, row in {**results["phases"], "all": results["whole_run"]}.items():
        kinds = ", ".join(f"{n} {k}" for k, n in row["failures_by_kind"].items()) or "none"
        log(
            f"{name:<8} {row['seconds']:>7.0f} {row['requests']:>8} {row['rps']:>6.1f} "
            f"{row['p50_ms']:>6} {row['p95_ms']:>6} {row['p99_ms']:>6} "
            f"{row['failure_ratio']:>7.2%}  {kinds}"
        )
    log(
        "(p50/p95/p99 in ms. before: requests finished before PostgreSQL stopped; during: the "
        "others started before the portal served again; after: started after that)"
    )
    recovery = results["recovery"]
    if recovery["recovered"]:
        log(
            "Recovery: the first page asked for after PostgreSQL was back was served (sent "
            f"+{recovery['seconds_after_database_back']}s, answered "
            f"+{recovery['answered_after_database_back_s']}s), without restarting the portal."
        )
    else:
        log("Recovery: the portal did NOT serve again before the end of the run.")
    seen = recovery["probe_during_outage"]
    log(
        f"Probe during the outage: {seen['requests']} requests, {seen['friendly_503']} answered "
        f"with the friendly 503 page, {seen['other']} otherwise "
        f"(status {seen['other_statuses'] or 'none'}; 0: no answer within 5s)."
    )
    redis_restart, redis_recovery = results["redis_restart"], results["redis_recovery"]
    seen = redis_recovery["probe_during_outage"]
    log(
        f"Redis stopped at {redis_restart['at_s']}s, down {redis_restart['down_s']}s: the probe "
        f"sent {seen['requests']} requests meanwhile, {seen['ok']} served, "
        f"{seen['friendly_503']} answered with the friendly 503 page, other statuses "
        f"{seen['other_statuses'] or 'none'}; "
        + (
            f"served again +{redis_recovery['seconds_after_redis_back']}s after Redis was back."
            if redis_recovery["recovered"]
            else "the portal did NOT serve again before the end of the run."
        )
    )
    writes = results["writes"]
    reg, ans = writes["registrations"], writes["survey_answers"]
    log(
        f"Writes: {reg['acknowledged']} registrations and {reg['cancellations_acknowledged']} "
        f"cancellations acknowledged (of {reg['sent']} sent; {reg['pairs_checked']} member-event "
        f"states checked, {reg['pairs_unverifiable']} left open by an unanswered last write); "
        f"{ans['acknowledged']} survey answers acknowledged (of {ans['sent']} sent)."
    )
    log(
        "Lost acknowledged writes: "
        + ("none" if not writes["lost"] else f"{writes['lost']} — see results.json")
    )
    ratio = results["whole_run"]["failure_ratio"]
    clear = results["outside_outages"]
    log(
        f"Failures: {ratio:.2%} over the whole run; {clear['failures']} of {clear['requests']} "
        f"({clear['failure_ratio']:.2%}) among requests that met neither outage (target under "
        f"{MAX_FAILURE_RATIO:.0%})."
    )


if __name__ == "__main__":
    main()
