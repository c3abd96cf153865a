"""Forwarding against the AiKYNETIX sandbox over real HTTP: the right endpoint and fields, and no
duplicate session whatever the provider does (timeouts, 500 bursts, 401, malformed or dropped replies)."""

import socket

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import AuditEvent, ProviderCredential
from coachportal.sessions.models import Session
from coachportal.sessions.sync import sync_organization
from coachportal.uploads import forward
from coachportal.uploads.models import Upload
from coachportal.uploads.tasks import forward_upload
from tests.factories import make_upload

pytestmark = pytest.mark.django_db

USER_ID = "val-01"


@pytest.fixture
def sandbox(aikynetix_faults, settings, monkeypatch):
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    settings.UPLOAD_FORWARD_READ_TIMEOUT = 1.5  # the read timeout once the whole file is sent
    settings.PROVIDER_TIMEOUT_SECONDS = 5
    monkeypatch.setattr(forward, "BACKOFF_BASE_SECONDS", 0.05)
    return aikynetix_faults


@pytest.fixture
def holder(sandbox):
    return sandbox.create_key_holder(admin=True, users=[(USER_ID, "Valentina Vega")], processing_seconds=60)


def upstream(sandbox, holder, user_id=USER_ID):
    """The sessions the sandbox holds for this key-holder and user."""
    return sandbox.stored_sessions(holder.key, user_id)


@pytest.fixture
def clip(aikynetix_video):
    return aikynetix_video.read_bytes()


# The whole flow ---------------------------------------------------------------------------------------


def test_an_upload_is_forwarded_followed_and_done(
    client_for, org_a, adam, key, valentina, clip, sandbox, holder, django_capture_on_commit_callbacks
):
    client = client_for(adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/o/{org_a.slug}/uploads/new/",
            {
                "target": "athlete",
                "athlete": valentina.pk,
                "activity": "jumping",
                "title": "Box jumps",
                "jump_exercise": "Drop Jump",
                "incline_degree": "1.5",
                "videos": [ContentFile(clip, name="box.mp4")],
            },
        )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.state == Upload.State.PROCESSING
    assert upload.attempts == 1
    [remote] = upstream(sandbox, holder)
    assert remote["id"] == upload.external_session_id
    assert remote["user_status"] == "admin"  # the management endpoint, on behalf of the athlete
    assert remote["activity"] == "Vertical Jump"
    assert remote["title"] == "Box jumps"
    assert remote["fields"] == {"incline_degree": "1.5", "exercise": "Drop Jump"}
    session = upload.session
    assert (session.external_id, session.athlete, session.status) == (remote["id"], valentina, "processing")

    page = client.get(f"/o/{org_a.slug}/uploads/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200  # still processing: keep polling
    assert b'hx-trigger="every 3s"' in page.content

    sandbox.complete_session(remote["id"])
    sync_organization(org_a)
    assert Session.objects.get().status == "ready"
    page = client.get(f"/o/{org_a.slug}/uploads/", HTTP_HX_REQUEST="true")
    assert page.status_code == 286  # nothing in flight: htmx stops polling
    assert b"<html" not in page.content
    upload.refresh_from_db()
    assert upload.state == Upload.State.DONE
    assert AuditEvent.objects.filter(verb="upload.created").count() == 1
    assert AuditEvent.objects.filter(verb="upload.forwarded").count() == 1


def test_weightlifting_sends_the_lift_and_the_mass_in_kilograms(org_a, key, valentina, clip, sandbox, holder):
    upload = make_upload(
        org_a,
        valentina,
        clip,
        activity="weightlifting",
        exercise="snatch",
        barbell_mass=132,
        barbell_unit="lb",
    )
    assert forward_upload.call(upload.pk) == "processing"
    [remote] = upstream(sandbox, holder)
    assert remote["activity"] == "Weightlifting"
    assert remote["fields"] == {"exercise": "snatch", "barbell_mass": "59.9"}


def test_an_upload_to_the_key_owners_account_uses_the_self_endpoint(org_a, key, clip, sandbox, holder):
    upload = make_upload(org_a, None, clip)
    assert forward_upload.call(upload.pk) == "processing"
    [remote] = upstream(sandbox, holder, user_id=holder.owner_user_id)
    assert remote["user_status"] == "user"
    assert upload.__class__.objects.get().external_session_id == remote["id"]


def test_forwarding_twice_sends_once(org_a, key, valentina, clip, sandbox, holder):
    upload = make_upload(org_a, valentina, clip)
    forward_upload.call(upload.pk)
    forward_upload.call(upload.pk)
    assert len(upstream(sandbox, holder)) == 1
    assert Upload.objects.get().attempts == 1


# Transient failures: retried, never duplicated --------------------------------------------------------


def test_a_timeout_after_the_body_was_sent_is_reconciled_not_resent(
    org_a, key, valentina, clip, sandbox, holder
):
    sandbox.set_faults(hang_seconds=3, match="/management/sessions/", methods=["POST"], times=1)
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "processing"
    [remote] = upstream(sandbox, holder)
    upload.refresh_from_db()
    assert (upload.external_session_id, upload.attempts) == (remote["id"], 2)
    assert AuditEvent.objects.get(verb="upload.forwarded").detail["reconciled"] is True


def test_a_burst_of_500s_is_retried_with_backoff(org_a, key, valentina, clip, sandbox, holder):
    sandbox.set_faults(error_rate=1.0, match="/management/sessions/", methods=["POST"], times=2)
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "processing"
    assert len(upstream(sandbox, holder)) == 1
    assert Upload.objects.get().attempts == 3


def test_a_connection_dropped_after_the_body_was_sent_leaves_exactly_one_session(
    org_a, key, valentina, clip, sandbox, holder
):
    sandbox.set_faults(drop_after_upload=True, match="/management/sessions/", times=1)
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "processing"
    [remote] = upstream(sandbox, holder)
    upload.refresh_from_db()
    assert upload.external_session_id == remote["id"]
    assert upload.session.external_id == remote["id"]


def test_a_malformed_reply_is_reconciled(org_a, key, valentina, clip, sandbox, holder):
    sandbox.set_faults(malformed_json=True, match="/management/sessions/", methods=["POST"], times=1)
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "processing"
    [remote] = upstream(sandbox, holder)
    assert Upload.objects.get().external_session_id == remote["id"]


def test_a_same_titled_older_session_is_not_mistaken_for_this_one(
    org_a, key, valentina, clip, sandbox, holder
):
    first = make_upload(org_a, valentina, clip)
    forward_upload.call(first.pk)
    sandbox.set_faults(drop_connection=True, match="/management/sessions/", methods=["POST"], times=1)
    second = make_upload(org_a, valentina, clip)  # same title "Tempo run"
    assert forward_upload.call(second.pk) == "processing"
    remote = upstream(sandbox, holder)
    assert len(remote) == 2
    second.refresh_from_db()
    assert (
        second.external_session_id == remote[1]["id"] != Upload.objects.get(pk=first.pk).external_session_id
    )


def test_a_provider_down_for_good_fails_the_upload_and_keeps_the_file(
    org_a, key, valentina, clip, sandbox, holder, monkeypatch
):
    monkeypatch.setattr(forward, "MAX_ATTEMPTS", 3)
    sandbox.set_faults(error_rate=1.0, match="/management/sessions/", methods=["POST"])
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.attempts == 3
    assert upload.last_error.startswith("AiKYNETIX could not be reached after 3 tries")
    assert default_storage.exists(upload.file.name)
    assert upload.can_retry

    sandbox.reset_faults()
    client_upload = upload
    assert client_upload.mark_for_retry()
    assert forward_upload.call(upload.pk) == "processing"
    assert len(upstream(sandbox, holder)) == 1


# Failures a retry cannot fix ------------------------------------------------------------------------


def test_a_rejected_key_fails_at_once_and_marks_the_key(org_a, key, valentina, clip, sandbox, holder):
    sandbox.set_faults(reject_keys=True)
    upload = make_upload(org_a, valentina, clip)
    assert forward_upload.call(upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.attempts == 1
    assert upload.last_error == (
        "AiKYNETIX refused the organization's API key (Invalid API key). "
        "Replace the key under Settings → Provider keys, then retry."
    )
    assert ProviderCredential.objects.get().status == "rejected"
    assert upstream(sandbox, holder) == []


def test_a_400_fails_at_once_with_the_providers_message(org_a, key, valentina, clip, sandbox, holder):
    upload = make_upload(org_a, valentina, clip, activity="weightlifting", exercise="deadlift")
    assert forward_upload.call(upload.pk) == "failed"
    upload.refresh_from_db()
    assert upload.attempts == 1
    assert upload.last_error == (
        "AiKYNETIX refused the video: "
        "exercise_name is required and must be one of: snatch, clean, clean_and_jerk."
    )


def test_an_athlete_id_the_provider_does_not_know_says_to_fix_the_athlete_with_a_link(
    org_a, key, clip, sandbox, holder, client_for, adam
):
    ghost = Athlete.objects.create(organization=org_a, name="Ghost", aikynetix_user_id="nobody-here")
    upload = make_upload(org_a, ghost, clip)
    assert forward_upload.call(upload.pk) == "failed"
    assert Upload.objects.get().last_error == (
        "This athlete's AiKYNETIX id belongs to another AiKYNETIX organization or was removed: "
        "fix the athlete."
    )
    page = client_for(adam).get(f"/o/{org_a.slug}/uploads/").text
    assert "fix the athlete." in page
    assert f'<a href="/o/{org_a.slug}/athletes/{ghost.pk}/">Open <bdi>Ghost</bdi></a>' in page


def test_an_unreachable_provider_never_shows_raw_exception_text(org_a, key, valentina, clip, settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        settings.AIKYNETIX_BASE_URL = f"http://127.0.0.1:{s.getsockname()[1]}"
    upload = make_upload(org_a, valentina, clip)
    forward.forward(upload.pk)
    upload.refresh_from_db()
    assert upload.state == "stored" and upload.last_error.startswith("Try 1 failed: ")
    assert "ConnectionPool" not in upload.last_error and "Errno" not in upload.last_error
    assert ".." not in upload.last_error and upload.last_error.endswith(".")


def test_a_removed_key_fails_with_a_message_saying_so(org_a, key, valentina, clip, sandbox, holder):
    upload = make_upload(org_a, valentina, clip)
    key.delete()
    assert forward_upload.call(upload.pk) == "failed"
    assert Upload.objects.get().last_error == forward.NO_KEY
