"""The scheduler's `forward_pending_uploads` finds forwards a dead worker left behind and finishes each
exactly once: stored with no task, claimed by a worker that never came back, or answered by the provider
but never linked to the library."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.uploads.models import STALE_CLAIM, Upload
from tests.integration.test_uploads_forward import make_upload, upstream
from tests.videos import tiny_mp4

pytestmark = pytest.mark.django_db

USER_ID = "val-01"


@pytest.fixture
def sandbox(aikynetix_sandbox, settings):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    return aikynetix_sandbox


@pytest.fixture
def holder(sandbox):
    return sandbox.create_key_holder(admin=True, users=[(USER_ID, "Valentina Vega")], processing_seconds=60)


@pytest.fixture
def valentina(org_a, holder):
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    return Athlete.objects.create(organization=org_a, name="Valentina Vega", aikynetix_user_id=USER_ID)


@pytest.fixture
def clip(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(tiny_mp4())
    return path


def run_recovery() -> str:
    out = StringIO()
    call_command("forward_pending_uploads", stdout=out)
    return out.getvalue()


def aged(upload: Upload, **fields) -> Upload:
    """Put the upload in the state a dead worker left it in, as long ago as the scheduler finds it."""
    fields.setdefault("updated_at", timezone.now() - timedelta(minutes=11))
    Upload.objects.filter(pk=upload.pk).update(**fields)
    upload.refresh_from_db()
    return upload


def test_an_upload_the_provider_has_but_a_dead_worker_never_linked_is_linked_not_sent_again(
    org_a, valentina, sandbox, holder, clip
):
    # The worker got the provider's answer, recorded it (sent) and died before the library record.
    remote = sandbox.client(holder.key).upload(
        "running", clip, user_id=USER_ID, session_name="Hill sprints", filename="hill.mp4"
    )
    upload = aged(
        make_upload(org_a, valentina, tiny_mp4(), title="Hill sprints"),
        state=Upload.State.SENT,
        external_session_id=remote.session_id,
        sent_at=timezone.now() - timedelta(minutes=11),
        attempts=1,
    )

    assert run_recovery().startswith("Queued 1 upload(s)")

    upload.refresh_from_db()
    assert upload.state == Upload.State.PROCESSING
    assert upload.session.external_id == remote.session_id
    assert upload.attempts == 1
    assert [r["id"] for r in upstream(sandbox, holder)] == [remote.session_id]  # not sent again


def test_a_stored_upload_whose_task_was_lost_is_forwarded_once(org_a, valentina, sandbox, holder, clip):
    upload = aged(make_upload(org_a, valentina, tiny_mp4(), title="Lost task"))

    assert run_recovery().startswith("Queued 1 upload(s)")

    upload.refresh_from_db()
    assert upload.state == Upload.State.PROCESSING
    assert [r["id"] for r in upstream(sandbox, holder)] == [upload.external_session_id]


def test_a_claim_of_a_dead_worker_is_taken_over_and_looks_before_sending(
    org_a, valentina, sandbox, holder, clip
):
    # The dead worker's file reached the provider; its answer never came back.
    remote = sandbox.client(holder.key).upload(
        "running", clip, user_id=USER_ID, session_name="Killed mid-answer", filename="k.mp4"
    )
    upload = aged(
        make_upload(org_a, valentina, tiny_mp4(), title="Killed mid-answer"),
        state=Upload.State.SENDING,
        claim_token="dead-worker",
        claimed_at=timezone.now() - STALE_CLAIM - timedelta(minutes=1),
        attempts=1,
    )

    assert run_recovery().startswith("Queued 1 upload(s)")

    upload.refresh_from_db()
    assert upload.state == Upload.State.PROCESSING
    assert upload.external_session_id == remote.session_id
    assert [r["id"] for r in upstream(sandbox, holder)] == [remote.session_id]


def test_uploads_still_in_their_workers_hands_are_left_alone(org_a, valentina, sandbox, holder, clip):
    make_upload(org_a, valentina, tiny_mp4(), title="Just stored")  # its task is in the queue
    aged(
        make_upload(org_a, valentina, tiny_mp4(), title="Being sent"),
        state=Upload.State.SENDING,
        claim_token="live-worker",
        claimed_at=timezone.now() - timedelta(minutes=1),
    )
    aged(
        make_upload(org_a, valentina, tiny_mp4(), title="Just answered"),
        state=Upload.State.SENT,
        external_session_id="s-1",
        updated_at=timezone.now(),
    )

    assert run_recovery().startswith("Queued 0 upload(s)")
    assert upstream(sandbox, holder) == []
