"""The processes the portal runs: `Procfile` (production) and `Procfile.dev` (`make run`) name a
web server and a worker, and production's lines run as written under production settings."""

import json
import os
import shlex
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from honcho.environ import parse_procfile

from ..background import example_tasks
from ..network import closed_port
from ..prod_settings import PRODUCTION_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]


def processes(name: str) -> dict[str, str]:
    return parse_procfile((ROOT / name).read_text()).processes


def test_each_procfile_names_a_web_server_and_a_worker():
    assert set(processes("Procfile")) == {"web", "worker"}
    assert set(processes("Procfile.dev")) == {"web", "worker"}
    assert "manage.py run_worker" in processes("Procfile.dev")["worker"]


def _production(**env) -> dict[str, str]:
    database = connection.settings_dict
    ignored = {"DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **{k: v for k, v in os.environ.items() if k not in ignored},
        **PRODUCTION_ENVIRONMENT,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        # The Procfile says `python`: the platform's, which here is this interpreter's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **env,
    }


@pytest.mark.django_db(transaction=True)
def test_the_production_worker_runs_the_queue_under_production_settings():
    result = example_tasks.echo.enqueue("from production")
    # As written, plus --batch: stop once the queue is empty.
    command = [*shlex.split(processes("Procfile")["worker"]), "--batch"]

    done = subprocess.run(  # noqa: S603 - the Procfile's own command line
        command, cwd=ROOT, env=_production(), capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL


@contextmanager
def _production_web_server(port: int, output):
    """The Procfile's web process (gunicorn with gunicorn.conf.py) on `port`, its stdout to
    `output`, once it answers."""
    server = subprocess.Popen(  # noqa: S603 - the Procfile's own command line
        shlex.split(processes("Procfile")["web"]),
        cwd=ROOT,
        # Two workers are enough here; the configured count follows the machine's cores.
        env=_production(PORT=str(port), WEB_CONCURRENCY="2"),
        stdout=output,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Each worker loads the app itself, after gunicorn has opened the port: ready once a
        # worker answers (health checks are not logged by anything but the access line).
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(port, "/health/live/")
                break
            except OSError:
                assert server.poll() is None, "gunicorn stopped"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(port: int, path: str, **headers) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "cop.example.org", "X-Forwarded-Proto": "https", **headers},
    )
    # S310: a fixed http:// address on this machine, not one from outside.
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read(), dict(response.headers)


def test_the_production_web_server_serves_on_port():
    port = closed_port()
    with _production_web_server(port, subprocess.DEVNULL):
        assert _get(port, "/health/live/")[:2] == (200, b'{"status": "alive"}')


def test_the_production_web_server_logs_each_request_as_json_without_its_query(tmp_path):
    """gunicorn's access line is the portal's JSON: the proxy's request id, the path without its
    query string, and nothing of the person (address, email, user agent, referrer)."""
    port = closed_port()
    log = tmp_path / "stdout"
    with log.open("wb") as output, _production_web_server(port, output):
        status, _body, headers = _get(
            port,
            "/health/live/?email=ada.lovelace%40mailbox.test&token=s3cret",
            **{
                "X-Request-ID": "0123456789abcdef0123456789abcdef",
                "User-Agent": "Ada's browser",
                "Referer": "https://cop.example.org/caucus/?who=ada",
                "X-Forwarded-For": "203.0.113.7",
            },
        )
    assert status == 200
    assert headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    written = log.read_text()
    lines = [json.loads(line) for line in written.splitlines()]
    assert {line["logger"] for line in lines} >= {"gunicorn.error", "gunicorn.access"}
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    # The readiness probe's requests are logged too; this one is known by the proxy's id.
    [access] = [
        line
        for line in lines
        if line["logger"] == "gunicorn.access"
        and line["request_id"] == "0123456789abcdef0123456789abcdef"
    ]
    assert set(access) == {
        "time", "level", "logger", "message", "request_id", "method", "path", "status",
        "duration_ms",
    }  # fmt: skip
    assert isinstance(access.pop("duration_ms"), int)
    del access["time"]
    assert access == {
        "level": "INFO",
        "logger": "gunicorn.access",
        "message": "request",
        "request_id": "0123456789abcdef0123456789abcdef",
        "method": "GET",
        "path": "/health/live/",
        "status": 200,
    }
    for secret in ("mailbox", "s3cret", "token", "Ada", "caucus", "203.0.113.7"):
        assert secret not in written
