"""Worker processes for tests: `manage.py run_worker` started as production starts it, against
the test database, and stopped before the test's data is cleared."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
HEARTBEAT = 0.2  # seconds: a worker is dead after four missed, under a second


def wait_until(condition, *, timeout=30.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Starts `run_worker` processes on the test database (through `port` if given, with
    `email_url` as their delivery mailer if given); stops them all at the end, before the
    database is emptied."""
    started = []

    def start(*options, port=None, email_url=None):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{port or database['PORT'] or 5432}/{database['NAME']}"
            ),
            "DJANGO_SETTINGS_MODULE": "tests.background.worker_settings",
        }
        if email_url:
            env["WORKER_EMAIL_URL"] = email_url
        log = tmp_path / f"worker-{len(started)}.log"
        command = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"]
        command += ["--interval", "0.1", "--heartbeat", str(HEARTBEAT), *options]
        with log.open("w") as output:  # the process writes to its own copy
            process = subprocess.Popen(  # noqa: S603 - our own command, no outside input
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
