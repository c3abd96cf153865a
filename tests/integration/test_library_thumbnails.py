"""Each library row shows a poster frame of its analysed video, made once in the background after a sync,
kept in the default storage and served to members with caching; a row without one shows a placeholder."""

import io

import pytest
from django.core.management import call_command

from coachportal.sessions import sync, tasks, thumbnails
from coachportal.sessions.models import Session
from tests.factories import connect_with_finished_sessions, connect_with_jump_without_video, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(org_a, aikynetix_sandbox, aikynetix_video, settings):
    """Org A connected to a sandbox account with one finished session (with an analysed video), not synced."""
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    return connect_with_finished_sessions(org_a, aikynetix_sandbox, aikynetix_video, ["Tempo"])


def test_a_sync_makes_each_poster_frame_once_and_the_row_shows_it(
    client_for, chloe, org_a, analysed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_sessions.call(org_a.pk)

    session = Session.objects.get(organization=org_a)
    assert session.analyzed_video_url and session.thumbnail.startswith(f"thumbnails/{org_a.pk}/")
    client = client_for(chloe)
    html = client.get(f"/o/{org_a.slug}/sessions/").content.decode()
    src = f"/o/{org_a.slug}/sessions/{session.pk}/thumbnail/?v="
    assert f'<img src="{src}' in html

    response = client.get(src)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert body[:2] == b"\xff\xd8" and len(body) < 30_000
    assert "private" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]

    made = session.thumbnail
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_sessions.call(org_a.pk)
    session.refresh_from_db()
    assert session.thumbnail == made  # made once


def test_another_organization_cannot_see_a_poster_frame(client_for, bruno, org_a, org_b, analysed):
    with_frame = make_session(org_a, thumbnail="thumbnails/x/1-ab.jpg")
    client = client_for(bruno)
    assert client.get(f"/o/{org_b.slug}/sessions/{with_frame.pk}/thumbnail/").status_code == 404
    assert client.get(f"/o/{org_a.slug}/sessions/{with_frame.pk}/thumbnail/").status_code == 404


def test_a_video_that_cannot_be_read_is_tried_once_and_the_row_keeps_the_placeholder(
    client_for, chloe, org_a
):
    broken = make_session(org_a, analyzed_video_url="http://127.0.0.1:9/video.mp4", title="Broken video")
    assert thumbnails.make_thumbnails.call(org_a.pk) == "done"
    broken.refresh_from_db()
    assert broken.thumbnail == "" and broken.thumbnail_tried_at is not None
    assert not Session.objects.without_thumbnail().exists()
    html = client_for(chloe).get(f"/o/{org_a.slug}/sessions/").content.decode()
    assert '<span class="thumb thumb--none"></span>' in html and "/thumbnail/" not in html


def test_the_scheduled_command_makes_the_frames_of_the_videos_its_sync_found(
    org_a, analysed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_sessions", "--org", org_a.slug, stdout=io.StringIO())
    session = Session.objects.get(organization=org_a)
    assert session.thumbnail.startswith(f"thumbnails/{org_a.pk}/")


def test_a_frame_is_made_as_soon_as_someone_generates_the_analysed_video(
    client_for, chloe, org_a, aikynetix_sandbox, aikynetix_video, settings, django_capture_on_commit_callbacks
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    session_id = connect_with_jump_without_video(org_a, aikynetix_sandbox, aikynetix_video)
    sync.sync_organization(org_a)
    session = Session.objects.get(external_id=session_id)
    assert not session.analyzed_video_url and not session.thumbnail
    client = client_for(chloe)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/{org_a.slug}/sessions/{session.pk}/video/generate/")

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.analyzed_video_url and session.thumbnail.startswith(f"thumbnails/{org_a.pk}/")
    html = client.get(f"/o/{org_a.slug}/sessions/").text
    assert f'<img src="/o/{org_a.slug}/sessions/{session.pk}/thumbnail/?v=' in html
