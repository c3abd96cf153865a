"""A rename whose answer is lost: the provider applied it, and the page ends by saying so."""

import pytest
from playwright.sync_api import expect

from coachportal.organizations import credentials
from coachportal.sessions import services, sync
from coachportal.sessions.models import Session

from .looking import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_rename_whose_answer_is_lost_ends_by_saying_it_was_applied(
    live_server, page, screenshot, org_a, adam, aikynetix_faults, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    holder = aikynetix_faults.create_key_holder(admin=True, users=[("u-ana", "Ana")], processing_seconds=3600)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    with aikynetix_faults.client(holder.key) as client:
        upload = client.upload_running(aikynetix_video, user_id="u-ana", session_name="Sprint 3")
    session_id = upload.session_id
    aikynetix_faults.complete_session(session_id)
    sync.sync_organization(org_a)
    session = Session.objects.get(external_id=session_id)

    log_in(page, live_server.url, adam.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/{session.pk}/")
    page.get_by_role("button", name="Rename or re-date").click()
    page.get_by_label("Title").fill("Sprint 3 - spikes")
    # The provider renames the session, then the connection drops before its answer arrives.
    aikynetix_faults.set_faults(drop_after_write=True, methods=["PUT"], times=1)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text(services.UPDATE_APPLIED_LATE)).to_be_visible()
    expect(page.get_by_role("heading", name="Sprint 3 - spikes")).to_be_visible()
    assert aikynetix_faults.faults()["drop_after_write"] is False  # the answer really was lost
    with aikynetix_faults.client(holder.key) as client:
        assert {s.id: s.title for s in client.list_sessions()}[session_id] == "Sprint 3 - spikes"
    body = page.locator("body").inner_text()
    assert "nothing was changed" not in body.lower() and "Errno" not in body
    screenshot("session-rename-confirmed-by-read-back", overflow=True)
