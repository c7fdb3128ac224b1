"""Tasks the background tests queue (a task must be a module-level function, found by its
dotted path in whichever worker runs it)."""

import time
from pathlib import Path

from django.tasks import task

from cop_portal.background.reaper import idempotent


@task
def echo(value):
    return value


@task
def answer():
    return 42


@task
def broken():
    raise RuntimeError("the task went wrong")


def _wait(path: str) -> str:
    """Block until the file at `path` exists (the test makes it), for a minute at most."""
    deadline = time.monotonic() + 60
    while not Path(path).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.05)
    return "done"


@task
def wait_for(path: str) -> str:
    return _wait(path)


@idempotent
@task
def wait_for_restartable(path: str) -> str:
    return _wait(path)
