"""The organisers' Background work page (members.views.background): who may see it and try tasks
again, what it says about each schedule, and that nothing posted to it gives a 500. How tasks
come to be retried or failed is in tests/background/test_retries.py."""

from datetime import time, timedelta

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cop_portal.background.models import ScheduleRun
from members.models import AuditEvent
from tests.background import example_tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/organise/background/"
# The schedules' runs, the queue's counts, the two lists and the schedule runs that name the
# listed tasks (the signed-in member comes from the cache).
QUERIES = 5


def _failed(n: int) -> list[DBTaskResult]:
    """`n` failed tasks, as the worker leaves them."""
    failed = []
    for i in range(n):
        result = example_tasks.always_fails.enqueue(f"member-{i}", f"m{i}@example.org")
        DBTaskResult.objects.filter(pk=result.id).update(
            status=TaskResultStatus.FAILED,
            worker_ids=["w"] * 3,
            finished_at=timezone.now() - timedelta(minutes=i),
            exception_class_path="builtins.ValueError",
            traceback="Traceback (most recent call last):\nValueError: it went wrong\n",
        )
        failed.append(DBTaskResult.objects.get(pk=result.id))
    return failed


def test_the_address():
    assert reverse("members:background") == URL


def test_a_member_without_the_permission_is_refused_the_page_and_the_button(member_client):
    (failed,) = _failed(1)

    assert member_client.get(URL).status_code == 403
    assert member_client.post(URL, {"retry": str(failed.id)}).status_code == 403
    assert member_client.post(URL, {"retry": "all"}).status_code == 403

    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.FAILED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.BACKGROUND_TASKS_RETRIED)


def test_someone_who_may_only_look_sees_no_buttons_and_cannot_post(client, ground_rules):
    (failed,) = _failed(1)
    client.force_login(
        UserFactory(agreed_to=ground_rules, permissions=["background.view_background_work"])
    )

    page = client.get(URL).content.decode()
    refused = client.post(URL, {"retry": str(failed.id)})

    assert "it went wrong" in page
    assert "Try again" not in page
    assert "Try all" not in page
    assert refused.status_code == 403
    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.FAILED


def test_the_steering_group_is_refused(client, steering_member):
    client.force_login(steering_member)

    assert client.get(URL).status_code == 403


def test_each_schedule_is_named_in_words_with_when_it_runs_and_whether_it_is_late(
    organiser_client, settings
):
    settings.BACKGROUND_SCHEDULES = {
        "event-reminders": {
            "task": "tests.background.example_tasks.answer",
            "every": timedelta(minutes=15),
            "title": "Reminders of sessions starting soon",
        },
        "audit-purge": {"task": "tests.background.example_tasks.answer", "at": time(3)},
    }
    now = timezone.now()
    ran = now - timedelta(minutes=1)
    ScheduleRun.objects.create(
        name="event-reminders",
        slot=now - timedelta(minutes=2),
        status=ScheduleRun.Status.SUCCEEDED,
        started_at=ran,
        finished_at=ran,
    )

    page = organiser_client.get(URL).content.decode()

    local = timezone.localtime(ran)
    assert (
        '<th scope="row">Reminders of sessions starting soon</th>\n'
        "          <td>Every 15 minutes</td>\n"
        f"          <td>{local:%-d %b %Y, %H:%M}</td>\n"
        f"          <td>{local:%-d %b %Y, %H:%M}</td>\n"
        "          <td>On time</td>"
    ) in page
    assert (
        '<th scope="row">Audit purge</th>\n'
        "          <td>Daily at 03:00</td>\n"
        "          <td>Never</td>\n"
        "          <td>Never</td>\n"
        "          <td><strong>Late</strong></td>"
    ) in page


def test_the_organise_page_links_to_it_for_organisers_only(
    organiser_client, client, steering_member
):
    assert URL in organiser_client.get(reverse("members:organise")).content.decode()
    client.force_login(steering_member)
    assert URL not in client.get(reverse("members:organise")).content.decode()


@pytest.mark.parametrize("posted", [{}, {"retry": "not-a-task"}, {"retry": "1 OR 1=1"}])
def test_a_post_that_names_no_task_changes_nothing_and_says_so(organiser_client, posted):
    (failed,) = _failed(1)

    response = organiser_client.post(URL, posted, follow=True)

    assert response.status_code == 200
    assert "Nothing to try again: that task is no longer in the failed list." in (
        response.content.decode()
    )
    failed.refresh_from_db()
    assert failed.status == TaskResultStatus.FAILED


def test_trying_again_a_task_that_is_no_longer_failed_changes_nothing(organiser_client):
    (failed,) = _failed(1)
    organiser_client.post(URL, {"retry": str(failed.id)})

    response = organiser_client.post(URL, {"retry": str(failed.id)}, follow=True)

    assert "Nothing to try again" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BACKGROUND_TASKS_RETRIED).count() == 1


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_takes_the_same_queries_however_many_tasks_failed(
    organiser_client, django_assert_num_queries, size
):
    """The lists are read in one query each, not one per task (the page names a scheduled run
    by its schedule, read for all the tasks at once)."""
    _failed(size)
    organiser_client.get(URL)  # the session and permissions, cached after the first request
    with django_assert_num_queries(QUERIES):
        organiser_client.get(URL)
