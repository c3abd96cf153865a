"""Session detail: metrics, the analysed video, rename/re-date and delete written through to AiKYNETIX."""

from datetime import UTC, datetime

import pytest

from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.sessions import claims, services, sync
from coachportal.sessions.models import Session
from tests.factories import connect_with_jump_without_video

pytestmark = pytest.mark.django_db


def detail_url(session, suffix=""):
    return f"/o/{session.organization.slug}/sessions/{session.pk}/{suffix}"


def test_the_detail_page_shows_the_video_and_readable_metrics(client_for, chloe, mirrored):
    html = client_for(chloe).get(detail_url(mirrored)).content.decode()
    assert f'<video src="{mirrored.analyzed_video_url}" controls' in html
    assert "Ground contact time" in html and "Speed and rhythm" in html and "m/s" in html
    assert "Report comments" in html and "Contact angle averages" in html
    assert '"speed":' not in html  # no raw JSON
    assert "Rename or re-date" not in html  # coaches read only
    assert "js/video-player.js" in html and "<script>" not in html


def test_provider_strings_and_unknown_metrics_are_escaped_and_shown(client_for, chloe, org_a):
    session = Session.objects.create(
        organization=org_a, external_id="x1", title="<script>alert(1)</script>", status="ready",
        provider_user_name="<b>Bob</b>", recorded_at=datetime(2025, 1, 1, tzinfo=UTC),
        metrics={"<img src=x onerror=alert(1)>": [1, 2], "speed": [3.0]},
        report_comments={"text_<i>x</i>": {"en": "<em>good</em>"}},
        analyzed_video_url="https://storage.example/v.mp4",
    )  # fmt: skip
    html = client_for(chloe).get(detail_url(session)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img src=x" not in html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html and "&lt;em&gt;good&lt;/em&gt;" in html
    assert "Other" in html


def test_another_organizations_session_is_not_found(client_for, bruno, org_b, mirrored):
    client = client_for(bruno)
    for suffix in ("", "row/", "video/download/"):
        assert client.get(f"/o/{org_b.slug}/sessions/{mirrored.pk}/{suffix}").status_code == 404
    assert client.post(f"/o/{org_b.slug}/sessions/{mirrored.pk}/delete/").status_code == 404
    assert client.get(detail_url(mirrored)).status_code == 404


def test_an_admin_renames_and_redates_at_the_provider_first(client_for, adam, mirrored, aikynetix_sandbox):
    response = client_for(adam).post(
        detail_url(mirrored, "edit/"), {"title": "Tempo <fast>", "recorded_at": "2025-02-06T14:30"}
    )

    assert response.status_code == 302
    mirrored.refresh_from_db()
    assert mirrored.title == "Tempo <fast>"
    assert mirrored.recorded_at == datetime(2025, 2, 6, 14, 30, tzinfo=UTC)
    with aikynetix_sandbox.client(mirrored.holder.key) as client:
        upstream = {s.id: s for s in client.list_sessions()}[mirrored.external_id]
    assert upstream.title == "Tempo <fast>" and upstream.created_at == datetime(
        2025, 2, 6, 14, 30, tzinfo=UTC
    )
    event = AuditEvent.objects.get(verb="session.updated")
    assert event.actor == adam and event.detail["before"]["title"] == "Tempo"


def test_a_provider_error_on_edit_changes_nothing_and_says_why(client_for, adam, mirrored, aikynetix_faults):
    aikynetix_faults.set_faults(error_rate=1.0, methods=["PUT"])
    response = client_for(adam).post(
        detail_url(mirrored, "edit/"), {"title": "New", "recorded_at": "2025-02-06T14:30"}
    )
    assert response.status_code == 200
    assert services.UPDATE_NOT_APPLIED in response.content.decode()
    mirrored.refresh_from_db()
    assert mirrored.title == "Tempo"
    assert not AuditEvent.objects.filter(verb="session.updated").exists()


RAW = ("HTTPConnectionPool", "Errno", "Traceback", "RemoteDisconnected", "Max retries")


def test_a_rename_whose_answer_is_lost_is_read_back_and_reported_as_applied(
    client_for, adam, mirrored, aikynetix_faults
):
    aikynetix_faults.set_faults(drop_after_write=True, methods=["PUT"], times=1)
    client = client_for(adam)
    response = client.post(
        detail_url(mirrored, "edit/"), {"title": "Tempo - spikes", "recorded_at": "2025-02-06T14:30"}
    )

    assert aikynetix_faults.faults()["drop_after_write"] is False  # the answer to the PUT was really lost
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert services.UPDATE_APPLIED_LATE in page
    assert not any(raw in page for raw in RAW)
    mirrored.refresh_from_db()
    assert mirrored.title == "Tempo - spikes"
    event = AuditEvent.objects.get(verb="session.updated")
    assert event.detail["confirmed_by_read_back"] is True


def test_a_rename_that_cannot_be_read_back_says_the_outcome_is_unknown(
    client_for, adam, mirrored, aikynetix_faults
):
    # Every write loses its answer, the read-back by ids too: nobody can tell whether the rename happened.
    aikynetix_faults.set_faults(drop_after_write=True)
    response = client_for(adam).post(
        detail_url(mirrored, "edit/"), {"title": "Maybe", "recorded_at": "2025-02-06T14:30"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "cannot tell yet whether it was applied" in page
    assert "nothing was changed" not in page.lower()
    assert not any(raw in page for raw in RAW)
    mirrored.refresh_from_db()
    assert mirrored.title == "Tempo"  # the mirror waits for the sync to learn the truth


def test_a_coach_cannot_edit_or_delete(client_for, chloe, mirrored):
    client = client_for(chloe)
    assert client.get(detail_url(mirrored, "edit/")).status_code == 403
    assert client.post(detail_url(mirrored, "delete/")).status_code == 403
    mirrored.refresh_from_db()
    assert mirrored.status == "ready"


def test_delete_asks_for_confirmation_then_deletes_upstream_and_here(
    client_for, olivia, mirrored, aikynetix_sandbox
):
    client = client_for(olivia)
    confirm = client.get(detail_url(mirrored, "delete/"))
    assert "Delete this session?" in confirm.content.decode()
    mirrored.refresh_from_db()
    assert mirrored.status == "ready"

    response = client.post(detail_url(mirrored, "delete/"))

    assert response.status_code == 302
    mirrored.refresh_from_db()
    assert mirrored.status == "deleted"
    with aikynetix_sandbox.client(mirrored.holder.key) as upstream:
        assert mirrored.external_id not in {s.id for s in upstream.list_sessions()}
    assert AuditEvent.objects.filter(verb="session.deleted", actor=olivia).exists()
    assert client.get(detail_url(mirrored)).status_code == 404


def test_a_provider_error_on_delete_keeps_the_session(client_for, olivia, mirrored, aikynetix_faults):
    aikynetix_faults.set_faults(error_rate=1.0, methods=["DELETE"])
    response = client_for(olivia).post(detail_url(mirrored, "delete/"))
    assert response.status_code == 200
    assert services.DELETE_NOT_APPLIED in response.content.decode()
    mirrored.refresh_from_db()
    assert mirrored.status == "ready"


def test_a_delete_whose_answer_is_lost_is_read_back_and_reported_as_done(
    client_for, olivia, mirrored, aikynetix_faults
):
    aikynetix_faults.set_faults(drop_after_write=True, methods=["DELETE"], times=1)
    client = client_for(olivia)
    response = client.post(detail_url(mirrored, "delete/"))

    assert response.status_code == 302
    assert services.DELETE_APPLIED_LATE in client.get(response["Location"]).content.decode()
    mirrored.refresh_from_db()
    assert mirrored.status == "deleted"
    assert AuditEvent.objects.get(verb="session.deleted").detail["confirmed_by_read_back"] is True


def test_a_missing_analysed_video_can_be_generated(
    client_for, chloe, org_a, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    session_id = connect_with_jump_without_video(org_a, aikynetix_sandbox, aikynetix_video)
    sync.sync_organization(org_a)
    session = Session.objects.get(external_id=session_id)
    assert session.status == "ready" and session.activity == "jumping" and not session.analyzed_video_url
    client = client_for(chloe)
    assert "Generate analysed video" in client.get(detail_url(session)).content.decode()

    response = client.post(detail_url(session, "video/generate/"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.analyzed_video_url.endswith("analyzed_video.mp4")
    assert "<video" in response.content.decode() and "<html" not in response.content.decode()


def test_the_download_link_asks_the_provider_for_a_signed_url(client_for, chloe, mirrored):
    response = client_for(chloe).get(detail_url(mirrored, "video/download/"))
    assert response.status_code == 302
    assert "response-content-disposition=attachment" in response["Location"]


def test_an_expired_video_url_is_refreshed_when_the_page_opens(client_for, chloe, mirrored):
    Session.objects.filter(pk=mirrored.pk).update(
        analyzed_video_url="https://old.example/v.mp4?Expires=1000",
        analyzed_video_expires_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    html = client_for(chloe).get(detail_url(mirrored)).content.decode()
    mirrored.refresh_from_db()
    assert mirrored.analyzed_video_url.endswith("analyzed_video.mp4")
    assert mirrored.analyzed_video_url in html


def test_the_refresh_button_queues_a_full_sync(
    client_for, chloe, mirrored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(chloe).post(f"/o/{mirrored.organization.slug}/sessions/sync/refresh/")
    assert response.status_code == 302
    state = claims.state_for(mirrored.organization)
    assert state.last_full_at and state.requested_at


def test_a_session_still_processing_offers_the_video_and_the_provider_makes_it_at_once(
    client_for, chloe, org_a, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=[("u-bo", "Bo")], processing_seconds=3600)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    with aikynetix_sandbox.client(holder.key) as client:
        session_id = client.upload_running(
            aikynetix_video, user_id="u-bo", session_name="Still going"
        ).session_id
    sync.sync_organization(org_a)
    session = Session.objects.get(external_id=session_id)
    assert session.status == "processing"
    web = client_for(chloe)
    assert "Generate analysed video" in web.get(detail_url(session)).content.decode()

    response = web.post(detail_url(session, "video/generate/"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.analyzed_video_url
    html = response.content.decode()
    assert "<video" in html
    # The flash message comes with the swap (out of band into #messages), not on the next page.
    assert '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">' in html
    assert "The analysed video is ready." in html
    assert "The analysed video is ready." not in web.get(detail_url(session)).content.decode()
