"""Tasks the background tests queue (a task must be a module-level function, found by its
dotted path in whichever worker runs it)."""

import time
from datetime import timedelta
from pathlib import Path

from django.tasks import task

from cop_portal.background.reaper import idempotent
from cop_portal.background.retries import retrying


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


# Retries: no jitter, so that a test can say exactly when the next try is due.


@retrying(max_attempts=3, base_delay=timedelta(seconds=30), jitter=0)
@task(takes_context=True)
def succeeds_on_attempt(context, attempt: int) -> str:
    """Fails, as a mail server that does not answer would, until its `attempt`-th run."""
    if context.attempt < attempt:
        raise ConnectionError(f"attempt {context.attempt}: the mail server did not answer")
    return f"done on attempt {context.attempt}"


@retrying(max_attempts=3, base_delay=timedelta(seconds=30), jitter=0)
@task
def always_fails(member_id: str, email: str):
    """Fails every time, with an error that names the member it was about (as real errors can)."""
    raise ValueError(f"No welcome for {email}\nrecord {member_id} is incomplete")
