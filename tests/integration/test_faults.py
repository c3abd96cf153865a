"""The provider misbehaves while people work: what they see, and that Retry works, nothing lost or doubled.

Each test drives the views (the test client raises on any server error, so "no 500" holds throughout)
against the real AiKYNETIX sandbox with one fault switched on, then checks four things: the page says
what happened, a retry (Refresh, Retry, Test connection) recovers, the stored video and the mirror are
intact, and the provider holds exactly one session per upload.

Faults covered elsewhere, not repeated here:
- a worker killed (SIGKILL) mid-forward and restarted: tests/integration/test_uploads_worker_killed.py;
- /healthz answering 503 when the database is unreachable, in a real web process:
  tests/integration/test_deploy.py::test_healthz_answers_503_when_the_database_is_unreachable
  (an in-process variant, the database failing and coming back, is below);
- the forwarding task alone under each fault (timeout after the body, 500 bursts, dropped and malformed
  replies, a provider down for good, a rejected key): tests/integration/test_uploads_forward.py;
- a sync against a provider answering only 500s (the banner and the kept mirror) and a key rejected
  during a sync: tests/integration/test_sync_sessions.py.
"""

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError, connections

from coachportal.organizations.models import ProviderCredential
from coachportal.sessions import sync
from coachportal.sessions.models import Session, SyncState
from coachportal.uploads import forward
from coachportal.uploads.models import Upload

pytestmark = pytest.mark.django_db

USER_ID = "val-01"
MANAGEMENT = "/management/sessions/"  # the upload endpoint (also inside /session-management/: use POST)
SESSIONS = "/session-management/"  # what a sync reads


@pytest.fixture
def sandbox(aikynetix_faults, settings, tmp_path, monkeypatch):
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    settings.PROVIDER_TIMEOUT_SECONDS = 1
    settings.UPLOAD_FORWARD_READ_TIMEOUT = 1
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(forward, "BACKOFF_BASE_SECONDS", 0.05)
    return aikynetix_faults


@pytest.fixture
def holder(sandbox):
    return sandbox.create_key_holder(admin=True, users=[(USER_ID, "Valentina Vega")], processing_seconds=3600)


@pytest.fixture
def admin(client_for, adam):
    return client_for(adam)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run what a request queued on commit (the test task backend runs tasks at once)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def upstream(sandbox, holder, user_id=USER_ID):
    """The sessions the sandbox holds for this key-holder and user."""
    return sandbox.stored_sessions(holder.key, user_id)


def post_upload(client, org, athlete, clip, run_tasks, title="Tempo run"):
    with run_tasks():
        response = client.post(
            f"/o/{org.slug}/uploads/new/",
            {
                "target": "athlete",
                "athlete": athlete.pk,
                "activity": "running",
                "title": title,
                "videos": [ContentFile(clip, name="tempo.mp4")],
            },
        )
    assert response.status_code == 302, response.content[:500]
    return Upload.objects.get(title=title)


def uploads_page(client, org) -> str:
    response = client.get(f"/o/{org.slug}/uploads/")
    assert response.status_code == 200
    return response.text


def retry(client, org, upload, run_tasks) -> None:
    with run_tasks():
        response = client.post(f"/o/{org.slug}/uploads/{upload.pk}/retry/")
    assert response.status_code == 302
    assert "will be sent again" in client.get(response["Location"]).text


def refresh(client, org, run_tasks) -> None:
    """The library's Refresh button (without htmx: a redirect back to the library)."""
    with run_tasks():
        response = client.post(f"/o/{org.slug}/sessions/sync/refresh/")
    assert response.status_code == 302


def library(client, org) -> str:
    response = client.get(f"/o/{org.slug}/sessions/")
    assert response.status_code == 200
    return response.text


def assert_kept(upload) -> None:
    """Nothing lost: the stored video is still there and readable."""
    upload.refresh_from_db()
    assert upload.file.storage.exists(upload.file.name)
    with upload.file.storage.open(upload.file.name) as stored:
        assert len(stored.read()) == upload.size


def assert_one_session_per_upload(sandbox, holder, org, expected: int) -> None:
    remote = upstream(sandbox, holder)
    assert len(remote) == expected
    assert len({r["id"] for r in remote}) == expected
    ids = set(Upload.objects.filter(organization=org).values_list("external_session_id", flat=True))
    assert ids == {r["id"] for r in remote}
    assert Session.objects.filter(organization=org).count() == expected


@pytest.fixture
def clip(aikynetix_video):
    return aikynetix_video.read_bytes()


@pytest.fixture
def synced_once(org_a, key, holder, sandbox, aikynetix_video):
    """One session at the provider, already mirrored: what must survive a failed sync."""
    with sandbox.client(holder.key) as client:
        first = client.upload_running(aikynetix_video, user_id=USER_ID, session_name="Before the fault")
    sandbox.complete_session(first.session_id)
    assert sync.sync_organization(org_a, full=True).created == 1
    with sandbox.client(holder.key) as client:
        later = client.upload_running(aikynetix_video, user_id=USER_ID, session_name="During the fault")
    sandbox.complete_session(later.session_id)
    return first.session_id, later.session_id


def assert_sync_recovers(admin, org, sandbox, run_tasks, ids) -> None:
    """After the fault: Refresh brings the missing session in, clears the banner, duplicates nothing."""
    sandbox.reset_faults()
    refresh(admin, org, run_tasks)
    page = library(admin, org)
    assert "During the fault" in page and "Before the fault" in page
    assert "The last sync" not in page
    assert sorted(Session.objects.filter(organization=org).values_list("external_id", flat=True)) == sorted(
        ids
    )
    assert not SyncState.objects.get(organization=org).failed_last_time


# The provider slower than the timeout -------------------------------------------------------------------


@pytest.mark.slow
def test_a_sync_that_times_out_says_so_keeps_the_mirror_and_recovers_on_refresh(
    admin, org_a, sandbox, synced_once, run_tasks
):
    sandbox.set_faults(hang_seconds=3, match=SESSIONS, methods=["GET"])

    refresh(admin, org_a, run_tasks)

    page = library(admin, org_a)
    assert "Before the fault" in page  # the mirror stays readable
    assert "During the fault" not in page
    assert "The last sync" in page and "failed: AiKYNETIX could not be reached" in page
    assert ProviderCredential.objects.get(organization=org_a).status != "rejected"  # slow is not refused
    assert_sync_recovers(admin, org_a, sandbox, run_tasks, synced_once)


def test_an_upload_forward_that_times_out_is_looked_up_not_sent_twice(
    admin, org_a, key, valentina, clip, sandbox, holder, run_tasks
):
    # The provider takes the video, then answers after the client stopped waiting.
    sandbox.set_faults(hang_seconds=3, match=MANAGEMENT, methods=["POST"], times=1)

    upload = post_upload(admin, org_a, valentina, clip, run_tasks)

    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("processing", 2)
    page = uploads_page(admin, org_a)
    assert "upload-badge--processing" in page and "Tempo run" in page
    assert_one_session_per_upload(sandbox, holder, org_a, 1)
    assert_kept(upload)


@pytest.mark.slow
def test_an_upload_that_times_out_every_time_fails_visibly_and_retry_finds_the_session(
    admin, org_a, key, valentina, clip, sandbox, holder, run_tasks, monkeypatch
):
    monkeypatch.setattr(forward, "MAX_ATTEMPTS", 2)
    # Every request hangs, the upload and the look-up after it: the provider is unusable for a while.
    sandbox.set_faults(hang_seconds=3)

    upload = post_upload(admin, org_a, valentina, clip, run_tasks)

    upload.refresh_from_db()
    assert upload.state == "failed"
    assert upload.last_error.startswith("AiKYNETIX could not be reached after 2 tries")
    page = uploads_page(admin, org_a)
    assert "could not be reached after 2 tries" in page and "Retry" in page
    assert_kept(upload)
    assert len(upstream(sandbox, holder)) == 1  # the first try did reach it

    sandbox.reset_faults()
    retry(admin, org_a, upload, run_tasks)

    upload.refresh_from_db()
    assert upload.state == "processing"
    assert_one_session_per_upload(sandbox, holder, org_a, 1)
    assert_kept(upload)


# A burst of 500s ----------------------------------------------------------------------------------------


def test_a_short_burst_of_500s_during_a_sync_is_absorbed(admin, org_a, sandbox, synced_once, run_tasks):
    sandbox.set_faults(error_rate=1.0, match=SESSIONS, methods=["GET"], times=2)

    refresh(admin, org_a, run_tasks)

    page = library(admin, org_a)
    assert "During the fault" in page and "The last sync" not in page
    assert Session.objects.filter(organization=org_a).count() == 2


@pytest.mark.slow  # retries through 50 errors (~3 s)
def test_a_long_burst_of_500s_during_a_sync_shows_the_banner_and_refresh_recovers(
    admin, org_a, sandbox, synced_once, run_tasks
):
    sandbox.set_faults(error_rate=1.0, match=SESSIONS, methods=["GET"], times=50)

    refresh(admin, org_a, run_tasks)

    page = library(admin, org_a)
    assert "Before the fault" in page and "During the fault" not in page
    assert "failed: AiKYNETIX could not be reached" in page
    assert_sync_recovers(admin, org_a, sandbox, run_tasks, synced_once)


def test_a_burst_of_500s_longer_than_the_tries_fails_the_upload_and_retry_sends_it_once(
    admin, org_a, key, valentina, clip, sandbox, holder, run_tasks, monkeypatch
):
    monkeypatch.setattr(forward, "MAX_ATTEMPTS", 3)
    sandbox.set_faults(error_rate=1.0, match=MANAGEMENT, methods=["POST"], times=3)

    upload = post_upload(admin, org_a, valentina, clip, run_tasks)

    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("failed", 3)
    assert "could not be reached after 3 tries" in uploads_page(admin, org_a)
    assert upstream(sandbox, holder) == []  # a 500 comes before any side effect
    assert_kept(upload)

    retry(admin, org_a, upload, run_tasks)

    upload.refresh_from_db()
    assert upload.state == "processing"
    assert "upload-badge--processing" in uploads_page(admin, org_a)
    assert_one_session_per_upload(sandbox, holder, org_a, 1)
    assert_kept(upload)


# A key revoked after it tested OK ----------------------------------------------------------------------


def test_a_key_revoked_mid_way_shows_the_banner_fails_uploads_clearly_and_retry_works_once_fixed(
    admin, client, org_a, key, valentina, clip, sandbox, holder, run_tasks, chloe
):
    test_url = f"/o/{org_a.slug}/settings/providers/aikynetix/test/"
    assert admin.post(test_url).status_code in (200, 302)
    assert ProviderCredential.objects.get().status == "ok"
    assert "refused the organization" not in admin.get(f"/o/{org_a.slug}/").text

    sandbox.set_faults(reject_keys=True)
    upload = post_upload(admin, org_a, valentina, clip, run_tasks)

    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("failed", 1)  # no point trying again by itself
    page = uploads_page(admin, org_a)
    assert (
        "AiKYNETIX refused the organization&#x27;s API key" in page
        or "refused the organization's API key" in page
    )
    assert "Replace the key under Settings → Provider keys, then retry." in page
    dashboard = admin.get(f"/o/{org_a.slug}/").text
    assert "AiKYNETIX refused the organization" in dashboard and "Review provider keys" in dashboard
    assert upstream(sandbox, holder) == []
    assert_kept(upload)
    # Coaches are not shown the key banner (they cannot fix it).
    coach = client.__class__()
    coach.force_login(chloe)
    assert "refused the organization" not in coach.get(f"/o/{org_a.slug}/").text

    # The key works again (re-enabled at the provider); the admin tests it, the banner goes, Retry sends.
    sandbox.reset_faults()
    assert admin.post(test_url).status_code in (200, 302)
    assert ProviderCredential.objects.get().status == "ok"
    assert "refused the organization" not in admin.get(f"/o/{org_a.slug}/").text
    retry(admin, org_a, upload, run_tasks)

    upload.refresh_from_db()
    assert upload.state == "processing"
    assert_one_session_per_upload(sandbox, holder, org_a, 1)


# Malformed JSON ----------------------------------------------------------------------------------------


def test_malformed_json_during_a_sync_is_reported_and_changes_nothing(
    admin, org_a, sandbox, synced_once, run_tasks
):
    before = list(Session.objects.filter(organization=org_a).values_list("external_id", "title", "status"))
    sandbox.set_faults(malformed_json=True, match=SESSIONS, methods=["GET"])

    refresh(admin, org_a, run_tasks)

    page = library(admin, org_a)
    assert "The last sync" in page and "failed: AiKYNETIX" in page
    assert "Before the fault" in page
    after = list(Session.objects.filter(organization=org_a).values_list("external_id", "title", "status"))
    assert after == before
    assert_sync_recovers(admin, org_a, sandbox, run_tasks, synced_once)


# The connection dropped mid-upload ---------------------------------------------------------------------


@pytest.mark.parametrize("knob", ["drop_connection", "drop_after_upload"])
def test_a_connection_dropped_mid_upload_leaves_exactly_one_upstream_session(
    knob, admin, org_a, key, valentina, clip, sandbox, holder, run_tasks
):
    sandbox.set_faults(**{knob: True}, match=MANAGEMENT, methods=["POST"], times=1)

    upload = post_upload(admin, org_a, valentina, clip, run_tasks)

    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("processing", 2)
    assert "upload-badge--processing" in uploads_page(admin, org_a)
    assert_one_session_per_upload(sandbox, holder, org_a, 1)
    assert_kept(upload)

    # A second upload of the same title right after is its own session, not mistaken for the first.
    sandbox.set_faults(**{knob: True}, match=MANAGEMENT, methods=["POST"], times=1)
    second = post_upload(admin, org_a, valentina, clip, run_tasks, title="Tempo run again")
    second.refresh_from_db()
    assert second.state == "processing" and second.external_session_id != upload.external_session_id
    assert_one_session_per_upload(sandbox, holder, org_a, 2)


# The database briefly unavailable ----------------------------------------------------------------------


def test_healthz_answers_503_while_the_database_is_down_and_200_once_it_is_back(client, monkeypatch):
    """In-process variant of test_deploy's real-process check: the database fails, then comes back."""

    def unavailable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connections["default"], "cursor", unavailable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]

    monkeypatch.undo()
    connections["default"].__dict__.pop("cursor", None)  # undo leaves the bound method on the instance
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
