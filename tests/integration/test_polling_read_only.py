"""The pages that poll only read: the forward task, the library's syncs, the poll chain of a match and the
scheduled commands move uploads and matches on, whether or not anyone has a page open."""

import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.matches.models import Match
from coachportal.matches.sync import upsert_session
from coachportal.sessions.models import SyncState
from coachportal.sessions.tasks import sync_sessions
from coachportal.uploads import services
from coachportal.uploads.models import Upload
from tests.factories import make_upload

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")
HTMX = {"HX-Request": "true"}


def writes_of(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def in_flight(org_a, valentina):
    """One upload of each unsettled state and a match on its way (as a page would show them)."""
    uploads = {
        state: make_upload(org_a, valentina, state=state, title=f"In {state}")
        for state in (Upload.State.STORED, Upload.State.SENT, Upload.State.PROCESSING)
    }
    match = Match.objects.create(
        organization=org_a, title="Derby", source=Match.Source.URL, video_url="https://example.com/m.mp4",
        provider_video_id="7", video_status="downloading", phase=Match.Phase.VIDEO,
    )  # fmt: skip
    return uploads, match


def polling_urls(org, uploads, match) -> list[tuple[str, dict]]:
    base = f"/o/{org.slug}"
    match.session = upsert_session(match)  # the match's processing row in the library polls too
    return [
        (f"{base}/sessions/{match.session.pk}/row/", HTMX),
        (f"{base}/uploads/", HTMX),
        *((f"{base}/uploads/{upload.pk}/status/", HTMX) for upload in uploads.values()),
        (f"{base}/matches/", {**HTMX, "HX-Target": "match-list"}),
        (f"{base}/matches/{match.pk}/", {}),
        (f"{base}/matches/{match.pk}/status/", {**HTMX, "HX-Target": "match-status"}),
    ]


def test_a_get_of_each_polling_endpoint_writes_nothing_and_queues_nothing(
    client_for, org_a, adam, in_flight, django_capture_on_commit_callbacks, settings
):
    settings.MATCHES_POLL_DEBOUNCE_SECONDS = 0
    client = client_for(adam)
    client.get(f"/o/{org_a.slug}/")  # the session and the login bookkeeping are written before we look
    uploads, match = in_flight
    for url, headers in polling_urls(org_a, uploads, match):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as queued,
        ):
            response = client.get(url, headers=headers)
        assert response.status_code == 200, url  # still polling: nothing here is settled
        assert writes_of(queries.captured_queries) == [], url
        assert queued == [], url
    match.refresh_from_db()
    assert (match.poll_requested_at, match.polls) == (None, 0)
    assert not SyncState.objects.filter(organization=org_a, requested_at__isnull=False).exists()


def test_an_upload_reaches_done_through_the_forward_task_and_the_scheduled_sync(
    client_for, org_a, adam, key, valentina, aikynetix_video, holder, django_capture_on_commit_callbacks
):
    client = client_for(adam)
    with django_capture_on_commit_callbacks(execute=True):  # the forward task runs as the worker would
        response = client.post(
            f"/o/{org_a.slug}/uploads/new/",
            {
                "target": "athlete",
                "athlete": valentina.pk,
                "activity": "running",
                "videos": [ContentFile(aikynetix_video.read_bytes(), name="tempo.mp4")],
            },
        )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.state == Upload.State.PROCESSING
    status_url = f"/o/{org_a.slug}/uploads/{upload.pk}/status/"
    assert client.get(status_url, headers=HTMX).status_code == 200  # still processing; nobody asked for more

    # Nobody watches the page: the scheduled sync (Heroku Scheduler or cron) brings the analysis in.
    deadline = time.monotonic() + 60
    while True:
        call_command("sync_sessions", stdout=io.StringIO())
        upload.refresh_from_db()
        if upload.state != Upload.State.PROCESSING:
            break
        assert time.monotonic() < deadline, "the scheduled sync never saw the analysis finish"
        time.sleep(0.5)
    assert upload.state == Upload.State.DONE
    assert upload.session.status == "ready"
    response = client.get(status_url, headers=HTMX)
    assert response.status_code == 286  # the page stops polling
    assert b'data-state="done"' in response.content


@pytest.fixture
def holder(aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    return aikynetix_sandbox.create_key_holder(
        admin=True, users=[("val-01", "Valentina")], processing_seconds=1
    )


@pytest.fixture
def deferring_tasks(settings):
    """A task backend that can defer and only records what was queued (the database backend defers)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = sync_sessions.get_backend()
    backend.clear()
    return backend


def test_while_uploads_process_each_mirror_update_queues_one_later_sync(
    org_a, valentina, deferring_tasks, django_capture_on_commit_callbacks
):
    make_upload(org_a, valentina, state=Upload.State.PROCESSING)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.follow_up_later(org_a)
        assert not services.follow_up_later(org_a)  # one waits already: no second chain
    [queued] = deferring_tasks.results
    assert queued.task.module_path == sync_sessions.module_path and list(queued.args) == [org_a.pk, False]
    assert queued.task.run_after > timezone.now()


def test_no_later_sync_once_nothing_is_processing(org_a, valentina, deferring_tasks):
    make_upload(org_a, valentina, state=Upload.State.DONE)
    assert not services.follow_up_later(org_a)
    assert deferring_tasks.results == []


def test_check_now_is_the_explicit_way_to_ask_for_a_poll(
    client_for, org_a, chloe, in_flight, django_capture_on_commit_callbacks
):
    _, match = in_flight
    client = client_for(chloe)  # any member following the match may ask
    detail = f"/o/{org_a.slug}/matches/{match.pk}/"
    assert f'action="{detail}check/"' in client.get(detail).text
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{detail}check/")
    assert (response.status_code, response["Location"]) == (302, detail)
    assert len(queued) == 1  # one poll task, once the request commits
    match.refresh_from_db()
    assert match.poll_requested_at is not None

    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{detail}check/", headers=HTMX)  # again at once: debounced
    assert response.status_code == 200 and b'id="match-status"' in response.content
    assert queued == []


def test_a_finished_match_offers_no_check(client_for, org_a, chloe, in_flight):
    _, match = in_flight
    Match.objects.filter(pk=match.pk).update(phase=Match.Phase.DONE, summary={}, events=[])
    detail = f"/o/{org_a.slug}/matches/{match.pk}/"
    assert "check/" not in client_for(chloe).get(detail).text
    assert client_for(chloe).post(f"{detail}check/").status_code == 302
    match.refresh_from_db()
    assert match.poll_requested_at is None
