"""Frame stepping uses the analysed video's real frame rate: the provider's, else probed once and stored."""

import io
import time

import pytest
import requests

from coachportal.sessions import frame_rates
from coachportal.sessions.models import Session
from coachportal.videofiles import probe
from tests.factories import make_session

pytestmark = pytest.mark.django_db


def page(client, session):
    return client.get(f"/o/{session.organization.slug}/sessions/{session.pk}/").content.decode()


@pytest.mark.parametrize("name, fps", [("clip60.mp4", 60.0), ("clip30.mp4", 30.0)])
def test_a_video_behind_a_url_is_probed_by_ranged_reads(video_server, name, fps):
    facts = probe.probe_url(video_server.url(name))
    assert facts.problem is None and facts.fps == fps and facts.width == 320


def test_the_first_view_probes_the_analysed_video_once_and_stores_its_frame_rate(
    client_for, chloe, org_a, video_server, django_capture_on_commit_callbacks
):
    session = make_session(org_a, analyzed_video_url=video_server.url("clip60.mp4"))
    client = client_for(chloe)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = page(client, session)
    assert len(queued) == 1
    assert "Frame rate not known yet: steps assume 30 fps." in first
    session.refresh_from_db()
    assert session.frame_rate == 60.0 and session.frame_rate_checked_at is not None
    with django_capture_on_commit_callbacks(execute=True) as queued:
        again = page(client, session)
    assert queued == []  # probed once
    assert 'data-fps="60"' in again and "Frame step: 1/60 s." in again


def test_a_frame_rate_the_provider_states_is_used_without_probing(
    client_for, chloe, org_a, django_capture_on_commit_callbacks
):
    session = make_session(org_a, analyzed_video_url="https://videos.example/a.mp4", raw={"fps": 50})
    with django_capture_on_commit_callbacks(execute=True) as queued:
        html = page(client_for(chloe), session)
    assert queued == [] and 'data-fps="50"' in html
    session.refresh_from_db()
    assert session.frame_rate is None and session.frame_rate_checked_at is None


def test_an_unreachable_video_is_tried_again_on_a_later_view(org_a, video_server):
    session = make_session(org_a, analyzed_video_url=video_server.url("gone.mp4"))
    assert frame_rates.claim_probe(session)
    assert not frame_rates.claim_probe(Session.objects.get(pk=session.pk))  # one claim at a time
    assert frame_rates.probe_and_store(session.pk) == "unreachable"
    session.refresh_from_db()
    assert session.frame_rate is None and session.frame_rate_checked_at is None
    assert frame_rates.claim_probe(session)


def test_a_synced_sandbox_sessions_analysed_video_is_probed_through_its_signed_url(
    client_for, chloe, mirrored, django_capture_on_commit_callbacks
):
    session = mirrored
    assert session.analyzed_video_url and session.frame_rate is None
    # The sandbox renders the analysed video in the background: wait until it is served whole.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.head(session.analyzed_video_url, timeout=30).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    with django_capture_on_commit_callbacks(execute=True):
        page(client_for(chloe), session)
    session.refresh_from_db()
    whole = probe.probe(io.BytesIO(requests.get(session.analyzed_video_url, timeout=60).content))
    assert whole.fps and session.frame_rate == whole.fps
