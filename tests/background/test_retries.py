"""Retries with back-off and the dead letter (cop_portal.background.retries), through the worker
`run_worker` runs: a `retrying` task that raises goes back in the queue, due later each time;
one that has used its attempts stays FAILED and is listed for organisers, who can try it again.

A test does not wait out a back-off: once it has checked when the next try is due, it moves that
moment to now, as the clock would."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cop_portal.background.reaper import MAX_ATTEMPTS, RESTART, stalled_reap
from cop_portal.background.retries import RetryPolicy
from members.models import AuditEvent

from ..tasks import tasks_run
from . import example_tasks

pytestmark = pytest.mark.django_db

FAILS_ON = "tests.background.example_tasks.always_fails"


def _row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def _wait_over(result) -> None:
    """The back-off has passed."""
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now())


def _failed_for_good(member_id="member-7391", email="pat.member@example.org"):
    """An always-failing task run through all its attempts: the dead letter."""
    result = example_tasks.always_fails.enqueue(member_id, email)
    for _ in range(3):
        assert tasks_run() == 1
        _wait_over(result)
    return _row(result)


# Back-off ----------------------------------------------------------------------------------


def test_a_task_that_fails_twice_then_succeeds_runs_three_times_waiting_longer_each_time():
    result = example_tasks.succeeds_on_attempt.enqueue(3)

    assert tasks_run() == 1
    first = _row(result)
    assert (first.status, first.worker_ids) == (TaskResultStatus.READY, ["test-worker"])
    assert first.run_after == first.finished_at + timedelta(seconds=30)
    assert first.exception_class_path == "builtins.ConnectionError"
    assert "attempt 1: the mail server did not answer" in first.traceback
    # Not due yet: no worker takes it before its time.
    assert tasks_run() == 0

    _wait_over(result)
    assert tasks_run() == 1
    second = _row(result)
    assert (second.status, len(second.worker_ids)) == (TaskResultStatus.READY, 2)
    assert second.run_after == second.finished_at + timedelta(seconds=60)
    assert second.finished_at > first.finished_at
    assert tasks_run() == 0

    _wait_over(result)
    assert tasks_run() == 1
    third = _row(result)
    assert (third.status, third.return_value, third.worker_ids) == (
        TaskResultStatus.SUCCESSFUL,
        "done on attempt 3",
        ["test-worker"] * 3,
    )
    # A success clears the error the earlier attempts left.
    assert (third.exception_class_path, third.traceback) == ("", "")


def test_the_wait_doubles_up_to_its_cap_and_the_jitter_adds_at_most_a_tenth():
    policy = RetryPolicy(max_attempts=10, base_delay=timedelta(seconds=30))
    assert [policy.backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,  # an hour at most
    ]
    failed_at = timezone.now()
    waits = {policy.next_try(failed_at=failed_at, attempts=2) - failed_at for _ in range(50)}
    assert all(timedelta(seconds=60) <= wait <= timedelta(seconds=66) for wait in waits)
    assert len(waits) > 1  # tasks that failed together do not all come back together


def test_a_task_that_keeps_failing_stays_failed_after_its_attempts():
    dead = _failed_for_good()

    assert (dead.status, len(dead.worker_ids)) == (TaskResultStatus.FAILED, 3)
    assert dead.exception_class_path == "builtins.ValueError"
    assert tasks_run() == 0


def test_a_task_that_is_not_retrying_fails_at_once():
    result = example_tasks.broken.enqueue()

    assert tasks_run() == 1

    assert _row(result).status == TaskResultStatus.FAILED


# One count of attempts, with the reaper ----------------------------------------------------


def _running_on_lost_worker(task, *args, worker_ids):
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=timezone.now()
    )
    return result


def test_a_lost_worker_is_one_failed_attempt_of_a_retrying_task_with_the_same_back_off():
    result = _running_on_lost_worker(
        example_tasks.succeeds_on_attempt, 2, worker_ids=["gone-1", "gone-2"]
    )

    assert stalled_reap(worker_id="gone-2") == 1

    row = _row(result)
    assert (row.status, row.exception_class_path) == (
        TaskResultStatus.READY,
        "cop_portal.background.reaper.WorkerLost",
    )
    assert row.run_after == row.finished_at + timedelta(seconds=60)  # after the second attempt
    _wait_over(result)
    assert tasks_run() == 1
    row = _row(result)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "done on attempt 3")


def test_a_lost_worker_on_a_retrying_tasks_last_attempt_fails_it():
    result = _running_on_lost_worker(
        example_tasks.succeeds_on_attempt, 9, worker_ids=["gone-1", "gone-2", "gone-3"]
    )

    stalled_reap(worker_id="gone-3")

    assert _row(result).status == TaskResultStatus.FAILED


def test_an_idempotent_task_that_is_not_retrying_is_restarted_at_once_and_not_after_an_error():
    assert RESTART.max_attempts == MAX_ATTEMPTS
    result = _running_on_lost_worker(
        example_tasks.wait_for_restartable, "/nowhere", worker_ids=["gone"]
    )

    stalled_reap(worker_id="gone")

    row = _row(result)
    assert (row.status, row.run_after) == (TaskResultStatus.READY, row.finished_at)


# The dead letter, for organisers -----------------------------------------------------------


def test_a_task_waiting_to_be_tried_again_shows_its_attempts_next_try_and_last_error(
    organiser_client,
):
    result = example_tasks.always_fails.enqueue("member-7391", "pat.member@example.org")
    tasks_run()
    next_try = timezone.localtime(_row(result).run_after)

    page = organiser_client.get(reverse("members:background")).content.decode()

    assert "<li>1 waiting to be tried again after failing</li>" in page
    assert (
        f'<th scope="row">{FAILS_ON}</th>\n'
        "            <td>1 of 3</td>\n"
        f"            <td>{next_try:%-d %b %Y, %H:%M:%S}</td>\n"
        "            <td><code>ValueError</code>: No welcome for [email address]</td>"
    ) in page


def test_a_failed_task_is_listed_with_its_error_but_never_its_arguments(organiser_client):
    dead = _failed_for_good(member_id="member-7391", email="pat.member@example.org")
    failed_at = timezone.localtime(dead.finished_at)

    page = organiser_client.get(reverse("members:background")).content.decode()

    assert (
        f'<th scope="row">{FAILS_ON}</th>\n'
        f"            <td>{failed_at:%-d %b %Y, %H:%M:%S}</td>\n"
        "            <td>3</td>\n"
        "            <td><code>ValueError</code>: No welcome for [email address]</td>"
    ) in page
    assert f'name="retry" value="{dead.id}"' in page
    assert "Try all 1 again" in page
    for hidden in ("member-7391", "pat.member@example.org", "Traceback", "raise ValueError"):
        assert hidden not in page


def test_try_again_puts_a_failed_task_back_and_a_worker_runs_it(organiser, organiser_client):
    result = example_tasks.succeeds_on_attempt.enqueue(4)
    for _ in range(3):
        tasks_run()
        _wait_over(result)
    assert _row(result).status == TaskResultStatus.FAILED

    response = organiser_client.post(reverse("members:background"), {"retry": str(result.id)})

    assert response.status_code == 302
    assert _row(result).status == TaskResultStatus.READY
    line = AuditEvent.objects.get(action=AuditEvent.Action.BACKGROUND_TASKS_RETRIED)
    assert (line.actor, line.target_id, line.detail) == (organiser, str(result.id), "1 task")
    assert tasks_run() == 1
    row = _row(result)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, "done on attempt 4")


def test_a_task_tried_again_by_hand_gets_one_more_attempt(organiser_client):
    dead = _failed_for_good()

    organiser_client.post(reverse("members:background"), {"retry": str(dead.id)})
    assert tasks_run() == 1

    row = DBTaskResult.objects.get(pk=dead.id)
    assert (row.status, len(row.worker_ids)) == (TaskResultStatus.FAILED, 4)


def test_try_all_again_puts_back_every_failed_task(organiser_client):
    first, second = _failed_for_good(), _failed_for_good()

    response = organiser_client.post(reverse("members:background"), {"retry": "all"}, follow=True)

    assert "2 tasks are back in the queue" in response.content.decode()
    assert {_row(first).status, _row(second).status} == {TaskResultStatus.READY}
    line = AuditEvent.objects.get(action=AuditEvent.Action.BACKGROUND_TASKS_RETRIED)
    assert (line.target_id, line.detail) == ("", "2 tasks")
