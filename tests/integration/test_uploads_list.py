"""The uploads page: live states, errors, Retry and Discard, and the purge of forwarded local copies."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from coachportal.organizations.models import AuditEvent
from coachportal.uploads.models import STALE_CLAIM, Upload
from tests.factories import make_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_forwarding(monkeypatch):
    queued = []
    monkeypatch.setattr("coachportal.uploads.services.enqueue_forward", queued.append)
    return queued


def make(org, state="stored", **fields):
    return make_upload(org, state=state, **fields)


def url(org, *parts):
    return "/".join([f"/o/{org.slug}/uploads", *parts]) + "/"


def test_the_page_lists_uploads_with_their_state_and_error(client_for, org_a, adam):
    make(org_a, state="failed", last_error="AiKYNETIX refused the video: too dark")
    make(org_a, state="processing", title="Hill reps")
    response = client_for(adam).get(url(org_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "AiKYNETIX refused the video: too dark" in html
    assert "Hill reps" in html and "Processing" in html
    assert 'hx-trigger="every 3s"' in html
    assert "1 failed" in html


def test_polling_stops_when_nothing_is_in_flight(client_for, org_a, adam):
    make(org_a, state="done")
    client = client_for(adam)
    assert 'hx-trigger="every 3s"' not in client.get(url(org_a)).content.decode()
    response = client.get(url(org_a), HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert b"<html" not in response.content


def test_the_status_fragment_polls_until_settled(client_for, org_a, adam):
    upload = make(org_a, state="sending")
    client = client_for(adam)
    assert client.get(url(org_a, str(upload.pk), "status")).status_code == 200
    Upload.objects.filter(pk=upload.pk).update(state="done")
    assert client.get(url(org_a, str(upload.pk), "status")).status_code == 286


def test_another_organizations_upload_is_not_found(client_for, org_a, org_b, adam):
    theirs = make(org_b, state="failed")
    client = client_for(adam)
    assert client.get(url(org_b)).status_code == 404
    assert client.post(url(org_a, str(theirs.pk), "retry")).status_code == 404
    assert client.post(url(org_a, str(theirs.pk), "discard")).status_code == 404


def test_retry_sends_a_failed_upload_again_and_audits_it(client_for, org_a, adam, no_forwarding):
    upload = make(org_a, state="failed", attempts=6, last_error="gone")
    response = client_for(adam).post(url(org_a, str(upload.pk), "retry"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    upload.refresh_from_db()
    assert (upload.state, upload.attempts) == ("stored", 0)
    assert no_forwarding == [upload]
    assert AuditEvent.objects.filter(verb="upload.retried", object_id=str(upload.pk)).exists()


def test_a_stuck_sending_upload_can_be_retried_and_looks_up_first(client_for, org_a, adam):
    upload = make(org_a, state="sending", claimed_at=timezone.now() - STALE_CLAIM - timedelta(minutes=1))
    assert "Stuck" in client_for(adam).get(url(org_a)).content.decode()
    client_for(adam).post(url(org_a, str(upload.pk), "retry"))
    upload.refresh_from_db()
    assert (upload.state, upload.needs_lookup) == ("stored", True)


def test_a_done_upload_cannot_be_retried(client_for, org_a, adam, no_forwarding):
    upload = make(org_a, state="done")
    response = client_for(adam).post(url(org_a, str(upload.pk), "retry"))
    assert response.status_code == 302
    assert Upload.objects.get().state == "done"
    assert no_forwarding == []


def test_discard_deletes_a_failed_upload_and_its_file(
    client_for, org_a, adam, django_capture_on_commit_callbacks
):
    upload = make(org_a, state="failed", last_error="nope")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(adam).post(url(org_a, str(upload.pk), "discard"))
    assert response.status_code == 302
    assert not Upload.objects.exists()
    assert not default_storage.exists(upload.file.name)
    event = AuditEvent.objects.get(verb="upload.discarded")
    assert event.detail["filename"] == "tempo.mp4"


def test_an_upload_in_flight_cannot_be_discarded(client_for, org_a, adam):
    upload = make(org_a, state="processing")
    client_for(adam).post(url(org_a, str(upload.pk), "discard"))
    assert Upload.objects.filter(pk=upload.pk).exists()
    assert default_storage.exists(upload.file.name)


def test_a_coach_may_not_retry_someone_elses_upload(client_for, org_a, adam, chloe):
    org_a.coaches_may_upload = True
    org_a.save()
    upload = make(org_a, state="failed", uploaded_by=adam)
    assert client_for(chloe).post(url(org_a, str(upload.pk), "retry")).status_code == 403


def test_purge_deletes_only_forwarded_copies_past_the_organizations_retention(org_a):
    org_a.keep_local_video_days = 7
    org_a.save()
    now = timezone.now()
    old = make(org_a, state="done", sent_at=now - timedelta(days=8))
    fresh = make(org_a, state="done", sent_at=now - timedelta(days=6))
    failed = make(org_a, state="failed", sent_at=None)
    old_name = old.file.name
    out = StringIO()
    call_command("purge_uploaded_videos", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 local video copy."
    old.refresh_from_db()
    assert not old.file and old.file_purged_at is not None
    assert not default_storage.exists(old_name)
    for kept in (fresh, failed):
        kept.refresh_from_db()
        assert default_storage.exists(kept.file.name)
