"""An admin registers a match file; AI on the Ball (the sandbox, over real HTTP) downloads it from the
portal's expiring link, the video becomes available, the analysis runs, and the results arrive."""

import io
import time

import pytest
import requests
from django.core.management import call_command

from coachportal.matches.models import Match
from coachportal.matches.testvideos import make_video
from coachportal.organizations import credentials
from coachportal.sessions.models import Session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def match_clip(tmp_path_factory):
    return make_video(tmp_path_factory.mktemp("flow") / "derby.mp4", seconds=600)


@pytest.fixture
def portal(settings, tmp_path, live_server, aiontheball_sandbox):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    settings.MATCHES_PUBLIC_BASE_URL = live_server.url
    settings.MATCHES_POLL_DEBOUNCE_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return live_server


def follow(client, url, *, until, timeout=30.0):
    """Run the scheduled job and poll the live status block the way the page does, until the match is
    in a wanted phase (the page only reads: the tests' task backend cannot defer the poll chain, so the
    scheduled `sync_matches` moves the match on)."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        call_command("sync_matches", stdout=io.StringIO())
        response = client.get(url, headers={"HX-Request": "true", "HX-Target": "match-status"})
        assert response.status_code in (200, 286)
        match = Match.objects.get()
        if not seen or seen[-1] != (match.video_status, match.analysis_status):
            seen.append((match.video_status, match.analysis_status))
        if until(match):
            return match, seen, response
        assert time.monotonic() < deadline, f"Gave up; seen {seen}"
        time.sleep(0.1)


@pytest.mark.slow
def test_a_registered_file_is_followed_to_a_finished_analysis(
    portal, client, org_a, adam, aiontheball_sandbox, aiontheball_token, match_clip
):
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    client.force_login(adam)

    with match_clip.open("rb") as handle:
        response = client.post(
            f"/o/{org_a.slug}/matches/new/",
            {
                "title": "Derby day",
                "home_team": "Riverside",
                "away_team": "Hilltop",
                "played_on": "2026-03-14",
                "source": "upload",
                "file": handle,
            },
        )
    match = Match.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/matches/{match.pk}/"
    # Registered at once (the task ran on commit): the provider knows the video and has its link.
    assert match.provider_video_id
    assert match.source == Match.Source.UPLOAD and match.file.name.startswith(f"matches/org-{org_a.pk}/")
    assert match.duration_seconds == 600

    status_url = f"/o/{org_a.slug}/matches/{match.pk}/status/"
    match, seen, _ = follow(client, status_url, until=lambda m: m.video_status == "available")
    assert match.mp4_url.startswith(aiontheball_sandbox.root_url)
    match, more, response = follow(client, status_url, until=lambda m: m.is_finished)
    seen += more
    assert match.phase == Match.Phase.DONE, match.last_error
    assert response.status_code == 286  # the page stops polling once the match is finished
    assert ("available", "") in seen or any(video == "available" for video, _ in seen)
    assert match.analysis_status == "done" and match.analysis_progress == 100
    assert match.summary["teams"] == {"team_0_name": "Riverside", "team_1_name": "Hilltop"}
    assert match.events and all("start" in event for event in match.events)
    assert match.last_error == ""

    # The provider downloaded exactly the stored file through the signed link.
    with requests.get(match.mp4_url, timeout=10) as download:
        assert download.content == match_clip.read_bytes()

    session = Session.objects.get(organization=org_a, provider="aiontheball")
    assert session.external_id == match.provider_video_id
    assert (session.activity, session.status, session.title) == ("match", "ready", "Derby day")
    assert session.recorded_at.date().isoformat() == "2026-03-14"
    assert session.video_url == match.mp4_url
    assert match.session_id == session.pk

    page = client.get(f"/o/{org_a.slug}/matches/{match.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'src="{match.mp4_url}"' in html
    assert "<bdi>Riverside</bdi>: players" in html and "<bdi>Hilltop</bdi>: players" in html
    assert "data-seek=" in html
    # Opening it from the library leads to the same page.
    assert (
        client.get(f"/o/{org_a.slug}/sessions/{session.pk}/")["Location"]
        == f"/o/{org_a.slug}/matches/{match.pk}/"
    )


def test_the_file_link_answers_ranges_and_expires(portal, client, org_a, adam, match_clip, settings):
    from django.core.files.storage import default_storage

    from coachportal.matches import files

    name = default_storage.save("matches/test/derby.mp4", match_clip.open("rb"))
    match = Match.objects.create(organization=org_a, title="Ranges", source="upload", file=name,
                                 public_base=portal.url)  # fmt: skip
    url = files.provider_file_url(match)
    assert url.startswith(f"{portal.url}/aiontheball/files/")
    whole = match_clip.read_bytes()
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=10)
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert part.content == whole[100:200]
    tail = requests.get(url, headers={"Range": "bytes=-10"}, timeout=10)
    assert tail.content == whole[-10:]
    assert requests.get(url, headers={"Range": f"bytes={len(whole)}-"}, timeout=10).status_code == 416
    assert requests.get(url + "x", timeout=10).status_code == 404  # forged
    settings.MATCHES_FILE_URL_MAX_AGE = 0
    time.sleep(1.1)
    assert requests.get(url, timeout=10).status_code == 404  # expired
