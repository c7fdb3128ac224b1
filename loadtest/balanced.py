"""`make loadtest`, second part: two instances of the portal behind a load balancer, one of them
killed and started again while 50 members use it.

    python -m loadtest.balanced       (what `make loadtest` runs after loadtest.run; TIER=S|M|L)

1. As loadtest.run: a throwaway PostgreSQL cluster and Redis server of its own on free ports of
   127.0.0.1 (never the machine's shared ones), seeded at the tier, the plan for 50 members.
   Both instances share them, and one media folder (MEDIA_ROOT, a temporary folder).
2. Two instances, A and B: each gunicorn with sync workers (half as many each as loadtest.run's
   one instance has, so the machine serves with as many processes in all) and a task worker
   (`manage.py run_worker`, ticking the schedules every 5 seconds). HAProxy (Debian's package)
   in front, round robin, checking each instance's /health/ every second (an instance whose
   checks fail three times running is taken out, and should the checks take both out, both
   are still tried rather than none) and sending a request whose connection is refused to the
   other instance; it names the instance that answered in X-Served-By.
3. locust (loadtest/locustfile.py) sends the 50 members to HAProxy for 3 minutes. At 90 seconds
   instance A's gunicorn (its whole process group: master and workers) is killed with SIGKILL,
   as a machine that dies; 10 seconds later it is started again on the same port. The task
   workers both run throughout.
4. Checks, printed and written to loadtest/out/results-balanced.json:
   - sessions survive: members stay signed in whichever instance answers (no page sends a
     signed-in member back to the sign-in page, no member has to sign in twice), and how many
     members were served by both instances;
   - no acknowledged write is lost (loadtest.run's check: registrations, cancellations, survey
     answers confirmed on the page are in the database);
   - schedules run exactly once with two workers ticking: one claim per schedule and slot, each
     slot's task run by one worker once, and no slot of the every-minute schedule missing;
   - failures outside the kill window (from the kill to 5 seconds after A answers again) under 1%.

Every request goes to 127.0.0.1; every step is bounded in time, and the whole run by --timeout."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.run import (
    PROXY_HEADERS,
    PYTHON,
    ROOT,
    free_port,
    log,
    machine_description,
    start_gunicorn,
    stop,
)
from loadtest.cluster import Cluster
from loadtest.run import (
    MAX_FAILURE_RATIO,
    OUT,
    Probe,
    RedisServer,
    Timeout,
    _alarm,
    add_arguments,
    by_name,
    check_writes,
    forget_last_run,
    part_file,
    phase,
    start_backends,
    start_locust,
    stop_locust,
    wait_for_locust,
)

# After instance A answers again, HAProxy needs two good checks a second apart to send it
# requests: the kill window ends a little after that.
WINDOW_AFTER_BACK_S = 5
SIGNED_OUT = "signed out"
PART = "-balanced"  # its files under loadtest/out/: plan-balanced.json, results-balanced.json, …
RESULTS = part_file("results", PART)

# As production's balancer checks it (the README), through "the TLS proxy".
HEALTH_CHECK = "meth GET uri /health/ ver HTTP/1.1 hdr Host 127.0.0.1 hdr X-Forwarded-Proto https"
HAPROXY_CONFIG = """
global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 30s
    # A request whose connection an instance refuses (it is down) goes to the other one: it
    # never reached the portal, so sending it again cannot do anything twice.
    retries 3
    option redispatch 1

frontend portal
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk
    http-check send {health_check}
    http-check expect status 200
    # A check waits, as any request does, behind requests already queued at an instance's sync
    # workers (50 members signing in keep them busy for seconds: the password hash): allowed 5
    # seconds, it does not take a busy instance for a dead one. A dead one refuses the check's
    # connection at once, so it is still taken out within three seconds.
    timeout check 5s
    default-server inter 1s fall 3 rise 2
    http-response set-header X-Served-By %[srv_name]
    server a 127.0.0.1:{port_a} check
    server b 127.0.0.1:{port_b} check
    # Failing open: when the checks have taken every instance out (on a machine so busy that
    # no check is answered within 5 seconds, both can be), requests still go to both rather
    # than to HAProxy's own 503 page. One that is really down refuses the connection and the
    # request is sent to the other, as above.
    option allbackups
    server a-open 127.0.0.1:{port_a} backup
    server b-open 127.0.0.1:{port_b} backup
"""


class Instance:
    """One instance of the portal: gunicorn on its own port, in a process group of its own."""

    def __init__(self, name: str, env: dict, port: int, workers: int):
        self.name, self.env, self.port, self.workers = name, env, port, workers
        self.server: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log_path = OUT / f"gunicorn-{self.name}-{self.starts}.log"
        self.server = start_gunicorn(
            self.env, self.port, self.workers, log_path=log_path, own_group=True
        )

    def kill(self) -> None:
        """SIGKILL to gunicorn's master and workers at once, as when a machine dies."""
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()

    def stop(self) -> None:
        if self.server is not None:
            stop(self.server)


def start_task_worker(name: str, env: dict) -> subprocess.Popen:
    with (OUT / f"worker-{name}.log").open("w") as log_file:
        return subprocess.Popen(  # noqa: S603 - our own command
            [PYTHON, "manage.py", "run_worker", "--heartbeat", "5", "--worker-id",
             f"loadtest-{name}"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip


def start_haproxy(port: int, port_a: int, port_b: int) -> subprocess.Popen:
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(binary).exists():
        raise SystemExit("HAProxy is missing: `apt-get install haproxy` (make loadtest does)")
    config = OUT / "haproxy.cfg"
    config.write_text(
        HAPROXY_CONFIG.format(port=port, port_a=port_a, port_b=port_b, health_check=HEALTH_CHECK)
    )
    with (OUT / "haproxy.log").open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 - Debian's haproxy, our own configuration
            [binary, "-db", "-f", str(config)], stdout=log_file, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 20
    url = f"http://127.0.0.1:{port}/health/"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"HAProxy stopped at once: see {OUT / 'haproxy.log'}")
        try:
            request = urllib.request.Request(url, headers=PROXY_HEADERS)
            with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("HAProxy did not pass requests on within 20 seconds")


def kill_and_restart(
    instance: Instance, at: float, down: float, marks: dict, halt: threading.Event
) -> None:
    if halt.wait(max(0.0, at - time.time())):
        return
    marks["kill"] = time.time()
    log(f"  SIGKILL to instance {instance.name} (gunicorn {instance.server.pid} and its workers)…")
    instance.kill()
    if halt.wait(down):
        return
    marks["restart"] = time.time()
    instance.start()
    marks["back"] = time.time()
    after = marks["back"] - marks["kill"]
    log(f"  instance {instance.name} answers again {after:.1f}s after the kill")


# The checks ------------------------------------------------------------------------------------


def check_sessions(requests: list, plan: dict) -> dict:
    """Whether members stayed signed in whichever instance answered them."""
    members = {m["email"] for m in plan["members"]}
    sign_ins: dict[str, int] = {}
    served: dict[str, set] = {}
    signed_out = []
    for r in requests:
        started, name, failed, instance, member, reason = r[0], r[2], r[4], r[6], r[7], r[8]
        if member not in members:
            continue
        if name == "sign in" and not failed:
            sign_ins[member] = sign_ins.get(member, 0) + 1
        elif instance:  # "a-open" is instance A reached while the checks had both out
            served.setdefault(member, set()).add(instance.removesuffix("-open"))
        if failed and SIGNED_OUT in reason:
            signed_out.append({"member": member, "page": name, "at": started, "by": instance})
    return {
        "members_signed_in": len(sign_ins),
        "members_signing_in_more_than_once": sorted(m for m, n in sign_ins.items() if n > 1),
        "members_served_by_both": sum(1 for s in served.values() if len(s) == 2),
        "members_served": len(served),
        "sent_to_sign_in": signed_out,
        "survived": not signed_out and all(n == 1 for n in sign_ins.values()),
    }


def check_schedules(since: datetime, until: datetime) -> dict:
    """Every slot claimed while both workers ticked: claimed once, its task run once, by one
    worker; and every slot of the every-minute schedule in between is there (Django set up)."""
    from django.db import connection
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from cop_portal.background.models import ScheduleRun
    from cop_portal.background.schedules import schedule_named

    connection.close()
    runs = list(ScheduleRun.objects.filter(queued_at__gte=since).order_by("slot", "name"))
    twice_claimed = list(
        ScheduleRun.objects.values("name", "slot").annotate(n=Count("pk")).filter(n__gt=1)
    )
    tasks = {t.pk: t for t in DBTaskResult.objects.filter(pk__in=[r.task_id for r in runs])}
    ran_more_than_once, not_run, by_worker = [], [], {}
    for run in runs:
        task = tasks.get(run.task_id)
        attempts = list(task.worker_ids) if task else []
        for worker in attempts:
            by_worker[worker] = by_worker.get(worker, 0) + 1
        if len(attempts) > 1:
            ran_more_than_once.append({"name": run.name, "slot": run.slot.isoformat(),
                                       "workers": attempts})  # fmt: skip
        if run.status != ScheduleRun.Status.SUCCEEDED:
            not_run.append({"name": run.name, "slot": run.slot.isoformat(), "status": run.status})
    # The every-minute schedule: each minute from the first claimed to the end is claimed once.
    minutely = schedule_named("email-delivery")
    expected, slot = [], minutely.slot_at(since) + minutely.every
    while slot <= until:
        expected.append(slot)
        slot += minutely.every
    claimed = {r.slot for r in runs if r.name == minutely.name}
    missing = [s.isoformat() for s in expected if s not in claimed]
    connection.close()
    return {
        "slots_claimed": len(runs),
        "schedules": sorted({r.name for r in runs}),
        "every_minute_slots_expected": len(expected),
        "every_minute_slots_missing": missing,
        "claimed_twice": [
            {"name": c["name"], "slot": c["slot"].isoformat()} for c in twice_claimed
        ],
        "runs_by_worker": by_worker,
        "ran_more_than_once": ran_more_than_once,
        "not_succeeded": not_run,
        "exactly_once": not twice_claimed and not ran_more_than_once and not missing,
    }


def windows(requests: list, start: float, end: float, kill: float, window_end: float) -> dict:
    """Before the kill, inside the kill window (started in it, or in flight at the kill), after."""
    before = [r for r in requests if start <= r[0] and r[0] + r[1] / 1000 < kill]
    inside = [
        r for r in requests if r[0] < window_end and r[0] + r[1] / 1000 >= kill and r[0] >= start
    ]
    after = [r for r in requests if window_end <= r[0] < end]
    rows = {
        "before": phase(before, start, kill),
        # Those in flight at the kill started before it: counted, over the window's length.
        "kill_window": phase(inside, start, window_end),
        "after": phase(after, window_end, end),
    }
    rows["kill_window"]["seconds"] = round(window_end - kill, 1)
    rows["kill_window"]["rps"] = round(len(inside) / max(window_end - kill, 1e-9), 1)
    outside = before + after
    failed = sum(1 for r in outside if r[4])
    rows["outside_window"] = {
        "requests": len(outside),
        "failures": failed,
        "failure_ratio": round(failed / len(outside), 4) if outside else 0.0,
    }
    return rows


def served_by(requests: list, start: float, end: float) -> dict:
    counts: dict[str, int] = {}
    for r in requests:
        if start <= r[0] < end:
            counts[r[6] or "none"] = counts.get(r[6] or "none", 0) + 1
    return dict(sorted(counts.items()))


# The run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser, run_time=180)
    parser.add_argument("--kill-at", type=int, default=90, help="seconds into the load")
    parser.add_argument("--down", type=float, default=10, help="seconds instance A stays down")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers per instance"
    )
    args = parser.parse_args()
    began = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _alarm)
    signal.alarm(args.timeout)
    OUT.mkdir(parents=True, exist_ok=True)
    forget_last_run(PART)

    cluster = Cluster(free_port(), log_path=OUT / "postgresql-balanced.log")
    cache_server = RedisServer(free_port(), log_path=OUT / "redis-balanced.log")
    media = Path(tempfile.mkdtemp(prefix="cop-loadtest-media-"))
    instances: list[Instance] = []
    task_workers: list[subprocess.Popen] = []
    balancer = locust = killer = None
    halt = threading.Event()
    try:
        env, plan = start_backends(cluster, cache_server, args, part=PART, MEDIA_ROOT=str(media))

        for name in ("a", "b"):
            instance = Instance(name, env, free_port(), args.workers)
            instance.start()
            instances.append(instance)
        workers_from = datetime.now(UTC)
        task_workers = [start_task_worker(name, env) for name in ("a", "b")]
        port = free_port()
        balancer = start_haproxy(port, instances[0].port, instances[1].port)
        base = f"http://127.0.0.1:{port}"
        load_before = [round(v, 2) for v in os.getloadavg()]
        probe = Probe(f"{base}/profile/", plan["probe_cookie"])
        marks: dict[str, float] = {}
        log(
            f"Load: {args.users} members for {args.run_time}s through HAProxy to instances A and "
            f"B; A killed at {args.kill_at}s, started again {args.down:g}s later…"
        )
        marks["load_start"] = time.time()
        locust = start_locust(env, base, args, part=PART)
        probe.start()
        killer = threading.Thread(
            target=kill_and_restart,
            args=(instances[0], marks["load_start"] + args.kill_at, args.down, marks, halt),
            daemon=True,
        )
        killer.start()
        requests, writes = wait_for_locust(locust, args, part=PART)
        marks["load_end"] = time.time()
        killer.join(timeout=90)
        probe.halt.set()
        probe.join(timeout=10)
        if "back" not in marks:
            raise SystemExit("Instance A was not started again: see loadtest/out/")
        # The workers (ticking every 5 s) get a moment to claim and run the last slots.
        time.sleep(10)
        workers_until = datetime.fromtimestamp(marks["load_end"], UTC)
        start, end = marks["load_start"], marks["load_end"]
        window_end = marks["back"] + WINDOW_AFTER_BACK_S
        probe_window = [(t, s) for t, s, _ in probe.seen if marks["kill"] <= t < window_end]
        results = {
            "tier": args.tier,
            "users": args.users,
            "run_time_s": args.run_time,
            "sign_in": args.sign_in,
            "instances": 2,
            "gunicorn_workers_per_instance": args.workers,
            "kill": {
                "at_s": round(marks["kill"] - start, 1),
                "answering_again_after_s": round(marks["back"] - marks["kill"], 1),
                "window_s": round(window_end - marks["kill"], 1),
            },
            "phases": windows(requests, start, end, marks["kill"], window_end),
            "whole_run": phase(requests, start, end),
            "served_by": {
                "before": served_by(requests, start, marks["kill"]),
                "kill_window": served_by(requests, marks["kill"], window_end),
                "after": served_by(requests, window_end, end),
            },
            "probe_in_window": {
                "requests": len(probe_window),
                "ok": sum(1 for _, s in probe_window if s == 200),
                "other_statuses": sorted(s for _, s in probe_window if s != 200),
            },
            "sessions": check_sessions(requests, plan),
            "writes": check_writes(writes, plan),
            "schedules": check_schedules(workers_from, workers_until),
            "by_name": by_name(requests),
            "machine": (
                f"{machine_description(cluster.url('postgres'))}; 2 instances of gunicorn "
                f"{args.workers} sync workers and a task worker each, HAProxy; locust "
                f"{args.users} users; all on one machine"
            ),
            "load_average": {
                "cores": os.cpu_count(),
                "before": load_before,
                "after": [round(v, 2) for v in os.getloadavg()],
            },
        }
    except Timeout:
        raise SystemExit(
            f"The load test passed its limit of {args.timeout}s and was stopped"
        ) from None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the clean-up
        halt.set()
        stop_locust(locust)
        if killer is not None:
            killer.join(timeout=90)
        if balancer is not None and balancer.poll() is None:
            balancer.terminate()
            balancer.wait(timeout=10)
        for instance in instances:
            instance.stop()
        for worker in task_workers:
            stop(worker)
        cache_server.stop()
        cluster.remove()
        shutil.rmtree(media, ignore_errors=True)
    results["seconds"] = round(time.monotonic() - began)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    report(results)
    log(f"\nWrote {RESULTS} in {results['seconds']}s.")
    if (
        results["writes"]["lost"]
        or not results["sessions"]["survived"]
        or not results["schedules"]["exactly_once"]
        or results["phases"]["outside_window"]["failure_ratio"] >= MAX_FAILURE_RATIO
    ):
        raise SystemExit(1)


def report(results: dict) -> None:
    log(
        f"\nTier {results['tier']}, {results['users']} members signing in by "
        f"{results['sign_in']}, {results['run_time_s']}s, two instances behind HAProxy — "
        f"{results['machine']}"
    )
    load = results["load_average"]
    log(f"Load average (1, 5, 15 min) on {load['cores']} cores: {load['before']} before, "
        f"{load['after']} after")  # fmt: skip
    kill = results["kill"]
    log(
        f"Instance A killed (SIGKILL) at {kill['at_s']}s, answering again "
        f"{kill['answering_again_after_s']}s later; the kill window is {kill['window_s']}s"
    )
    header = f"{'phase':<12} {'seconds':>7} {'requests':>8} {'req/s':>6} {'p50':>6} {'p95':>6} " \
             f"{'p99':>6} {'failed':>7}  failures / served by"  # fmt: skip
    log(header)
    log("-" * len(header))
    rows = {**{k: v for k, v in results["phases"].items() if k != "outside_window"},
            "all": results["whole_run"]}  # fmt: skip
    for name, row in rows.items():
        kinds = ", ".join(f"{n} {k}" for k, n in row["failures_by_kind"].items()) or "none"
        served = results["served_by"].get(name, {})
        log(
            f"{name:<12} {row['seconds']:>7.0f} {row['requests']:>8} {row['rps']:>6.1f} "
            f"{row['p50_ms']:>6} {row['p95_ms']:>6} {row['p99_ms']:>6} "
            f"{row['failure_ratio']:>7.2%}  {kinds}" + (f" / {served}" if served else "")
        )
    outside = results["phases"]["outside_window"]
    log(
        f"Failures outside the kill window: {outside['failures']} of {outside['requests']} "
        f"({outside['failure_ratio']:.2%}; target under {MAX_FAILURE_RATIO:.0%})."
    )
    seen = results["probe_in_window"]
    log(f"Probe in the kill window: {seen['requests']} requests, {seen['ok']} served, other "
        f"statuses {seen['other_statuses'] or 'none'}.")  # fmt: skip
    sessions = results["sessions"]
    log(
        f"Sessions: {sessions['members_signed_in']} members signed in, "
        f"{sessions['members_served_by_both']} of {sessions['members_served']} served by both "
        f"instances; {len(sessions['sent_to_sign_in'])} pages sent a member back to sign in; "
        f"{len(sessions['members_signing_in_more_than_once'])} members signed in more than once "
        f"— {'survived' if sessions['survived'] else 'NOT survived'}."
    )
    writes = results["writes"]
    reg, ans = writes["registrations"], writes["survey_answers"]
    log(
        f"Writes: {reg['acknowledged']} registrations and {reg['cancellations_acknowledged']} "
        f"cancellations acknowledged (of {reg['sent']} sent), {ans['acknowledged']} survey "
        f"answers (of {ans['sent']}); lost: {writes['lost'] or 'none'}."
    )
    schedules = results["schedules"]
    log(
        f"Schedules: {schedules['slots_claimed']} slots claimed by two workers "
        f"(runs by worker {schedules['runs_by_worker']}), claimed twice: "
        f"{len(schedules['claimed_twice'])}, run more than once: "
        f"{len(schedules['ran_more_than_once'])}, every-minute slots missing: "
        f"{len(schedules['every_minute_slots_missing'])} of "
        f"{schedules['every_minute_slots_expected']}, not succeeded: "
        f"{len(schedules['not_succeeded'])} — "
        f"{'exactly once' if schedules['exactly_once'] else 'NOT exactly once'}."
    )


if __name__ == "__main__":
    main()
