"""`make bench-email`: publishing a programme to 20,000 members, and the email that follows.

    python -m bench.email_drain                 (what `make bench-email` runs)
    python -m bench.email_drain --profile       (and where the workers' time goes)

1. Drops and recreates its own database (cop_bench_email unless --database says otherwise),
   migrates it, and adds an organiser and 20,000 members who want programme news: active,
   email_programme on, and a password of their own (so they count as having claimed their
   account, as members.selectors.accounts.member_has_claimed asks).
2. Enqueue cost: the organiser's "Publish" (a POST through Django's test client, in this
   process, with production's settings) of a programme of a few draft sessions, timed and its
   SQL queries counted, at 200 members and at 20,000: the median of a few publishes at each.
   Publishing queues one task, however many members there are; what each publish queued is
   then thrown away.
3. The drain: an SMTP server of our own (aiosmtpd, in this process, on a free port on
   127.0.0.1) that accepts everything and counts messages and distinct Message-IDs; then 1,
   and in a second round 2, `manage.py run_worker` processes with the delivery mailer pointed at
   it (EMAIL_URL=smtp://127.0.0.1:PORT). Once they are up, the organiser publishes a programme,
   and the run is timed until the server has 20,000 distinct Message-IDs: the fan-out task
   (rendering one message per member and queueing all of them), then delivery (messages a
   second). Messages received twice are counted, and must be none.
4. Prints a table and writes its figures under "email" in bench/results.json (the rest of the
   file, `make bench`'s run, is left as it is) and in bench/out/results-email.json.

With --profile, a last round runs one worker under cProfile (its figures are not kept) and
prints where its time went: the fan-out's rendering and inserts, building each message, the SMTP
conversation, and recording each message as sent; the profile is saved in bench/out/.

Every connection is to 127.0.0.1, and every wait is bounded."""

import argparse
import asyncio
import json
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg

from bench.run import (
    ADMIN_URL,
    HOST,
    OUT,
    PROXY_HEADERS,
    PYTHON,
    ROOT,
    free_port,
    log,
    machine_description,
    manage,
    pg_admin,
    portal_env,
    stop,
)

DB_NAME = "cop_bench_email"
MEMBERS = 20_000
SMALL = 200
EVENTS = 4
MEMBER_DOMAIN = "members.bench.invalid"
RESULTS = ROOT / "bench" / "results.json"
# Each round must end within this; a drain slower than 20,000 in 15 minutes is a finding too.
ROUND_LIMIT = 15 * 60


# The SMTP server ----------------------------------------------------------------------------------

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class SinkHandler:
    """aiosmtpd's handler: accepts every message, and counts them and their Message-IDs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.received = 0
            self.ids: set[bytes] = set()
            self.first_at: float | None = None
            self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope):
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(head)
        now = time.monotonic()
        with self.lock:
            self.received += 1
            self.ids.add(found.group(1) if found else b"missing:%d" % self.received)
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 Message accepted"

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.received, len(self.ids)


def sink_start():
    from aiosmtpd.controller import Controller

    handler = SinkHandler()
    controller = Controller(handler, hostname=HOST, port=free_port(), ready_timeout=10)
    controller.start()
    return controller, handler


# Data ---------------------------------------------------------------------------------------------


def database_make(name: str) -> dict:
    """The benchmark's database, made afresh and migrated; returns the portal's environment
    (production's settings, no Redis: the cache is the database's table, as in production
    without REDIS_URL)."""
    log(f"Making the database {name} afresh…")
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}")
    env = portal_env("bench.settings", f"postgres://postgres@127.0.0.1:5432/{name}", "")
    manage("migrate", "--no-input", "-v0", env=env)
    return env


def organiser_make():
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django.contrib.auth.models import Group

    from members.models import User
    from members.roles import ORGANISERS

    organiser = User.objects.create_user(
        "organiser@bench.invalid", password=None, name="Bench Organiser", email_programme=False
    )
    organiser.groups.add(Group.objects.get(name=ORGANISERS))
    # Organisers must use two-step sign-in (members.middleware.MFARequiredMiddleware).
    Authenticator.objects.create(
        user=organiser, type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()}
    )
    return organiser


def members_grow(total: int) -> None:
    """Add members until `total` want programme news. They share one password hash (hashing
    20,000 would take minutes): a usable password is what makes them count as claimed."""
    from django.contrib.auth.hashers import make_password
    from django.utils.crypto import get_random_string

    from members.models import User

    have = User.objects.filter(email__endswith="@" + MEMBER_DOMAIN).count()
    password = make_password(get_random_string(32))
    users = [
        User(
            email=f"member.{n}@{MEMBER_DOMAIN}",
            name=f"Member {n}",
            password=password,
            is_active=True,
            email_programme=True,
        )
        for n in range(have + 1, total + 1)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    with psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


_programmes = 0


def programme_make():
    """A programme of a few draft sessions, three months ahead."""
    from django.utils import timezone

    from events.models import Event, EventKind, Programme

    global _programmes
    _programmes += 1
    kind, _ = EventKind.objects.get_or_create(slug="webinar", defaults={"name": "Webinar"})
    start = timezone.now() + timedelta(days=90)
    programme = Programme.objects.create(
        title=f"Bench programme {_programmes}",
        slug=f"bench-programme-{_programmes}",
        starts_on=start.date(),
        ends_on=(start + timedelta(days=180)).date(),
        theme="Anti-racism in practice",
    )
    Event.objects.bulk_create(
        Event(
            programme=programme,
            title=f"Session {n} of programme {_programmes}",
            slug=f"bench-{_programmes}-{n}",
            summary="What the session is about and who it is for.",
            kind=kind,
            starts_at=start + timedelta(days=30 * n),
            ends_at=start + timedelta(days=30 * n, hours=1),
        )
        for n in range(1, EVENTS + 1)
    )
    return programme


def tasks_forget() -> None:
    from django_tasks_db.models import DBTaskResult

    from cop_portal.mail.models import MailServer, OutgoingEmail

    DBTaskResult.objects.all().delete()
    OutgoingEmail.objects.all().delete()
    MailServer.objects.all().delete()


# 2. Enqueue cost ----------------------------------------------------------------------------------


def publish(client, programme) -> tuple[float, list[dict]]:
    """The organiser's Publish button: the POST's time (ms) and its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from events.models import Programme

    url = reverse("events:programme_publish", args=[programme.pk])
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        response = client.post(url, secure=True)
        elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 302 or Programme.objects.get(pk=programme.pk).published_at is None:
        raise SystemExit(f"Publishing answered {response.status_code} and did not publish")
    return elapsed, captured.captured_queries


def enqueue_cost(client, members: int, repetitions: int) -> dict:
    members_grow(members)
    runs, queries = [], None
    for n in range(repetitions + 1):
        elapsed, captured = publish(client, programme_make())
        if n:  # the first warms up this process (templates, connections)
            runs.append(elapsed)
            queries = captured
    tasks_forget()
    (OUT / f"email-publish-{members}.sql").write_text(
        "\n\n".join(f"-- {q['time']}s\n{q['sql']};" for q in queries)
    )
    row = {
        "members": members,
        "publish_ms_median": round(statistics.median(runs), 1),
        "publish_ms_max": round(max(runs), 1),
        "queries": len(queries),
        "tasks_queued": 1,
    }
    log(
        f"  {members:>6} members: publish {row['publish_ms_median']:.1f} ms (median of "
        f"{repetitions}, max {row['publish_ms_max']:.1f}), {row['queries']} queries"
    )
    return row


# 3. The drain -------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_start(env: dict, count: int, profile: Path | None = None) -> list[subprocess.Popen]:
    """`count` workers as production runs them, without the schedules (whose own emails would
    mix with the ones counted), once each has recorded its first heartbeat."""
    from cop_portal.background.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    workers = []
    for n in range(count):
        with (OUT / f"email-worker-{n + 1}.log").open("w") as log_file:
            workers.append(
                subprocess.Popen(  # noqa: S603 - our own command, arguments made here
                    [
                        PYTHON,
                        *(["-m", "cProfile", "-o", str(profile)] if profile else []),
                        "manage.py",
                        "run_worker",
                        "--no-scheduler",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + 60
    while WorkerHeartbeat.objects.count() < count:
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            for worker in workers:
                stop(worker)
            raise SystemExit("The workers did not start: see bench/out/email-worker-*.log")
        time.sleep(0.2)
    return workers


def drain(
    client, env: dict, sink: SinkHandler, workers_count: int, members: int, profile=None
) -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from cop_portal.mail.models import OutgoingEmail

    tasks_forget()
    programme = programme_make()
    sink.reset()
    workers = workers_start(env, workers_count, profile)
    cpu_before = {w.pid: _cpu_seconds(w.pid) for w in workers}
    sink_cpu_before = time.process_time()
    try:
        began = time.monotonic()
        publish_ms, _ = publish(client, programme)
        deadline = began + ROUND_LIMIT
        fan_out = None
        while time.monotonic() < deadline:
            if fan_out is None:
                fan_out = DBTaskResult.objects.filter(
                    task_path__endswith="programme_published_email_send",
                    finished_at__isnull=False,
                ).first()
            if sink.counts()[1] >= members:
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"Only {sink.counts()[1]} of {members} arrived within {ROUND_LIMIT}s")
        ended = time.monotonic()
        # Anything sent twice would come now, if at all: wait until no delivery is left to run.
        settle = time.monotonic() + 30
        while (
            time.monotonic() < settle
            and DBTaskResult.objects.filter(finished_at__isnull=True).exists()
        ):
            time.sleep(0.2)
        time.sleep(1)
        cpu = {w.pid: round(_cpu_seconds(w.pid) - cpu_before[w.pid], 1) for w in workers}
    finally:
        for worker in workers:
            stop(worker)
    sink_cpu = time.process_time() - sink_cpu_before
    fan_out = DBTaskResult.objects.get(task_path__endswith="programme_published_email_send")
    if fan_out.status != "SUCCESSFUL" or fan_out.return_value != members:
        raise SystemExit(f"The fan-out task ended {fan_out.status}: {fan_out.return_value}")
    received, distinct = sink.counts()
    statuses = dict(OutgoingEmail.objects.values_list("status").annotate(Count("pk")))
    deliveries = DBTaskResult.objects.filter(task_path__endswith="mail.tasks.deliver")
    sent_by = sorted(
        (r.return_value for r in deliveries if r.return_value), reverse=True
    )  # how many each delivery task sent
    fan_out_seconds = (fan_out.finished_at - fan_out.started_at).total_seconds()
    # Delivery can begin only once the fan-out's transaction has committed: its tasks are
    # queued in it. So the delivery time runs from the fan-out's end to the last message.
    fan_out_end = began + (fan_out.finished_at - fan_out.enqueued_at).total_seconds()
    delivery_seconds = sink.last_at - fan_out_end
    row = {
        "workers": workers_count,
        "messages": members,
        "publish_ms": round(publish_ms, 1),
        "fan_out_started_after_s": round(
            (fan_out.started_at - fan_out.enqueued_at).total_seconds(), 1
        ),
        "fan_out_s": round(fan_out_seconds, 1),
        "fan_out_per_s": round(members / fan_out_seconds),
        "first_message_after_s": round(sink.first_at - began, 1),
        "delivery_s": round(delivery_seconds, 1),
        "delivery_per_s": round(members / delivery_seconds),
        "publish_to_last_message_s": round(ended - began, 1),
        "received": received,
        "distinct_message_ids": distinct,
        "duplicates": received - distinct,
        "outbox": statuses,
        "delivery_tasks_that_sent": sent_by,
        "worker_cpu_s": list(cpu.values()),
        "sink_cpu_s": round(sink_cpu, 1),
    }
    log(
        f"  {workers_count} worker(s): fan-out {row['fan_out_s']:.1f}s "
        f"({row['fan_out_per_s']}/s), delivery {row['delivery_s']:.1f}s "
        f"({row['delivery_per_s']}/s), publish to last message "
        f"{row['publish_to_last_message_s']}s, "
        f"{received} received, {row['duplicates']} twice; worker CPU {row['worker_cpu_s']} s"
    )
    return row


# Profiles -----------------------------------------------------------------------------------------


def profile_report(path: Path, lines: int) -> None:
    """Where a worker's time went: the portal's and the libraries' functions by cumulative
    time, and the busiest by their own time."""
    stats = pstats.Stats(str(path), stream=sys.stdout)
    log(f"\nProfile of the worker (saved in {path.relative_to(ROOT)}), by cumulative time:")
    stats.sort_stats("cumulative").print_stats(
        r"cop_portal|events|members|django|smtplib|email|psycopg", lines
    )
    log("By own time:")
    stats.sort_stats("tottime").print_stats(lines // 2)


# The run ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DB_NAME, help="made afresh: its data is lost")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--small", type=int, default=SMALL, help="the audience compared with")
    parser.add_argument("--repetitions", type=int, default=5, help="publishes at each size")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="workers in each round"
    )
    parser.add_argument(
        "--profile", action="store_true", help="then a round with one worker under cProfile"
    )
    parser.add_argument("--profile-lines", type=int, default=25)
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        raise SystemExit("--database: lower-case letters, digits and underscores only")
    began = time.monotonic()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    # The portal's static files are not served here; the folder only quietens WhiteNoise.
    (OUT / "static").mkdir(parents=True, exist_ok=True)
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        raise SystemExit(f"Cannot reach PostgreSQL at 127.0.0.1:5432: {error}") from error

    controller, sink = sink_start()
    try:
        os.environ["EMAIL_URL"] = f"smtp://{HOST}:{controller.port}"
        env = database_make(args.database)
        import django

        django.setup()
        from django.test import Client

        client = Client(headers=PROXY_HEADERS)
        client.force_login(organiser_make())
        load_before = round(os.getloadavg()[0], 2)
        log(f"Enqueue cost: the organiser's Publish, at {args.small} and {args.members} members…")
        enqueue = [
            enqueue_cost(client, args.small, args.repetitions),
            enqueue_cost(client, args.members, args.repetitions),
        ]
        log(f"The drain: {args.members} messages to the SMTP server on port {controller.port}…")
        rounds = [drain(client, env, sink, n, args.members) for n in args.workers]
        load_after = round(os.getloadavg()[0], 2)
        if args.profile:
            log("A last round with one worker under cProfile (its figures are not kept)…")
            drain(client, env, sink, 1, args.members, profile=OUT / "email-worker.prof")
    finally:
        controller.stop()
        asyncio.set_event_loop(None)

    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{machine_description()}; run_worker processes, the SMTP server "
        "(aiosmtpd) and PostgreSQL all on one machine",
        "load_average_before_after": [load_before, load_after],
        "members": args.members,
        "events_in_programme": EVENTS,
        "method": {
            "enqueue": "the organiser's Publish through Django's test client (production "
            f"settings), median of {args.repetitions} after one warm-up, SQL queries counted",
            "drain": "workers started first (manage.py run_worker --no-scheduler), then "
            "Publish; fan-out timed by its task's start and end, delivery from the fan-out's "
            "end to the last message received by the SMTP server (aiosmtpd on 127.0.0.1)",
        },
        "enqueue": enqueue,
        "drain": rounds,
        "seconds": round(time.monotonic() - began),
    }
    (OUT / "results-email.json").write_text(json.dumps(results, indent=2) + "\n")
    kept = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    kept["email"] = results
    RESULTS.write_text(json.dumps(kept, indent=2) + "\n")
    report(results)
    if args.profile:
        profile_report(OUT / "email-worker.prof", args.profile_lines)
    log(f'\nWrote bench/results.json ("email") in {results["seconds"]}s.')


def report(results: dict) -> None:
    log(f"\nEmail, {results['members']} members — {results['machine']}")
    log(f"Load average (1 min) before and after: {results['load_average_before_after']}")
    header = f"{'members':>8} {'publish ms':>10} {'queries':>7} {'tasks':>5}"
    log(header)
    log("-" * len(header))
    for row in results["enqueue"]:
        log(
            f"{row['members']:>8} {row['publish_ms_median']:>10.1f} {row['queries']:>7} "
            f"{row['tasks_queued']:>5}"
        )
    header = (
        f"{'workers':>7} {'fan-out s':>9} {'/s':>5} {'delivery s':>10} {'/s':>5} "
        f"{'to last s':>9} {'received':>8} {'twice':>5}"
    )
    log("")
    log(header)
    log("-" * len(header))
    for row in results["drain"]:
        log(
            f"{row['workers']:>7} {row['fan_out_s']:>9.1f} {row['fan_out_per_s']:>5} "
            f"{row['delivery_s']:>10.1f} {row['delivery_per_s']:>5} "
            f"{row['publish_to_last_message_s']:>9.1f} {row['received']:>8} {row['duplicates']:>5}"
        )
    log(
        "(publish ms: the organiser's POST, median; fan-out: rendering and queueing every "
        "message, one task; delivery: from the fan-out's end to the last message received; "
        "to last s: from Publish to the last message)"
    )


if __name__ == "__main__":
    main()
