"""An operator sees the task queue (waiting, running, failed, the oldest waiting task) from
`manage.py queue_status` and, signed in as staff, on /ops/queue/; to anyone else the page does not exist."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coachportal.sessions.tasks import sync_sessions
from coachportal.uploads.tasks import forward_upload

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued(task, *args, **changes):
    result = task.enqueue(*args)
    if changes:
        DBTaskResult.objects.filter(pk=result.id).update(**changes)
    return result


@pytest.fixture
def busy_queue(db_queue, org_a):
    """Three uploads waiting (the oldest for 2 hours), a retry deferred, one task running, failures."""
    now = timezone.now()
    queued(forward_upload, 1, enqueued_at=now - timedelta(hours=2))
    queued(forward_upload, 2)
    queued(sync_sessions, org_a.pk)
    queued(forward_upload, 3, run_after=now + timedelta(minutes=4))  # a retry waiting for its time
    queued(sync_sessions, org_a.pk, status="RUNNING", started_at=now - timedelta(minutes=3))
    queued(forward_upload, 4, status="FAILED", started_at=now, finished_at=now - timedelta(hours=1))
    queued(forward_upload, 5, status="FAILED", finished_at=now - timedelta(days=2))  # too long ago
    queued(sync_sessions, org_a.pk, status="SUCCESSFUL", finished_at=now - timedelta(minutes=5))


def queue_status() -> str:
    out = StringIO()
    call_command("queue_status", stdout=out)
    return out.getvalue()


def test_an_empty_queue_reports_nothing_waiting(db_queue):
    output = queue_status()
    assert "waiting: 0\n" in output
    assert "oldest waiting: none\n" in output
    assert "running: 0\n" in output
    assert "by task" not in output.lower()


def test_the_command_counts_each_state_and_ages_the_oldest_waiting_task(busy_queue):
    lines = queue_status().splitlines()
    assert lines[:7] == [
        "waiting: 3",
        "oldest waiting: 2 h 0 min",
        "deferred (retries, scheduled): 1",
        "running: 1",
        "oldest running: 3 min",
        "failed in the last 24 h: 1",
        "succeeded in the last 24 h: 1",
    ]
    table = {line.split()[0]: line.split()[1:] for line in lines[9:]}
    assert table == {
        "forward_upload": ["2", "1", "0", "1", "0"],
        "sync_sessions": ["1", "0", "1", "0", "1"],
    }


def test_a_retry_that_came_due_waits_from_its_due_time_not_from_when_it_was_queued(db_queue):
    now = timezone.now()
    queued(forward_upload, 1, enqueued_at=now - timedelta(hours=5), run_after=now - timedelta(minutes=7))
    output = queue_status()
    assert "waiting: 1\n" in output
    assert "oldest waiting: 7 min\n" in output


def test_a_task_running_for_hours_is_flagged_as_probably_left_by_a_killed_worker(db_queue, org_a):
    queued(sync_sessions, org_a.pk, status="RUNNING", started_at=timezone.now() - timedelta(hours=3))
    output = queue_status()
    assert "running: 1 (1 for more than 30 min: probably left by a killed worker)\n" in output
    assert "oldest running: 3 h 0 min\n" in output


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_see_the_same_numbers_on_the_status_page(client_for, busy_queue, flag):
    operator = make_user("ops@portal.example")
    setattr(operator, flag, True)
    operator.save()
    page = client_for(operator).get("/ops/queue/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"  # coachportal.accounts.nostore
    html = page.content.decode()
    for metric, value in [
        ("waiting", "3"),
        ("oldest-waiting", "2 h 0 min"),
        ("deferred", "1"),
        ("running", "1"),
        ("failed", "1"),
        ("succeeded", "1"),
    ]:
        assert f'data-metric="{metric}">{value}<' in html
    assert '<th scope="row">forward_upload</th>' in html


def test_the_status_page_does_not_exist_for_members_or_strangers(client, client_for, busy_queue, olivia):
    assert client.get("/ops/queue/").status_code == 404  # signed out: not even a login redirect
    owner = client_for(olivia)  # owns an organization, but is not staff
    response = owner.get("/ops/queue/")
    assert response.status_code == 404
    assert b"forward_upload" not in response.content
