"""The processes the portal runs: `Procfile` (production) and `Procfile.dev` (`make run`) name a
web server and a worker, and production's lines run as written under production settings."""

import os
import shlex
import subprocess
import sys
import time
import urllib.request
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


def test_the_production_web_server_serves_on_port():
    port = closed_port()
    command = processes("Procfile")["web"].replace("$PORT", str(port))
    server = subprocess.Popen(  # noqa: S603 - the Procfile's own command line
        shlex.split(command),
        cwd=ROOT,
        env=_production(PORT=str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/live/",
        headers={"Host": "cop.example.org", "X-Forwarded-Proto": "https"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # S310: a fixed http:// address on this machine, not one from outside.
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    assert (response.status, response.read()) == (200, b'{"status": "alive"}')
                    break
            except OSError:
                assert server.poll() is None, "gunicorn stopped"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
