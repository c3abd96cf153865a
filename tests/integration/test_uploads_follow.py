"""Uploads and the library stay in step: a sync that sees the analysis finish moves the upload on."""

import time

import pytest

from coachportal.organizations import credentials
from coachportal.sessions.models import Session
from coachportal.sessions.sync import sync_organization
from coachportal.uploads.models import Upload

pytestmark = pytest.mark.django_db


def processing_upload(org, session, **fields):
    return Upload.objects.create(
        organization=org,
        activity="running",
        title=session.title,
        original_filename="clip.mp4",
        size=10,
        state=Upload.State.PROCESSING,
        external_session_id=session.external_id,
        session=session,
        **fields,
    )


def test_a_sync_that_sees_the_analysis_ready_marks_the_upload_done(
    org_a, adam, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("uid-ana", "Ana")], processing_seconds=0.3
    )
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=adam)
    sent = aikynetix_sandbox.client(holder.key).upload_running(
        aikynetix_video, user_id="uid-ana", session_name="Tempo"
    )
    session = Session.objects.create(organization=org_a, external_id=sent.session_id, title="Tempo")
    upload = processing_upload(org_a, session)
    time.sleep(0.5)
    sync_organization(org_a, full=True)
    session.refresh_from_db()
    upload.refresh_from_db()
    assert session.status == Session.Status.READY
    assert upload.state == Upload.State.DONE


def test_the_dashboard_counts_failed_uploads_for_people_who_upload(client_for, org_a, adam, chloe):
    session = Session.objects.create(organization=org_a, external_id="x1", title="t")
    processing_upload(org_a, session).mark_failed("AiKYNETIX said no")
    assert client_for(adam).get(f"/o/{org_a.slug}/").context["failed_uploads"] == 1
    assert (
        "failed uploads" not in client_for(chloe).get(f"/o/{org_a.slug}/").text
    )  # coaches may not upload here
