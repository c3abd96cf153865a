"""Registering a match: checks next to the fields before anything is sent, roles, and URL registration."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from coachportal.matches import checks
from coachportal.matches.forms import BAD_URL, NO_FILE, NO_KEY, NO_TITLE, NO_URL
from coachportal.matches.models import Match
from coachportal.matches.testvideos import make_video
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.sessions.models import Session
from coachportal.videofiles import names

from ..videos import broken_mp4s, tiny_mp4


@pytest.fixture
def keyed(org_a, aiontheball_sandbox, aiontheball_token, settings):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    return org_a


def new_url(org):
    return f"/o/{org.slug}/matches/new/"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="video/mp4")


def stored_files(path="matches"):
    """Every file under `path` in storage (directories may stay behind; files must not)."""
    try:
        dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    return [f"{path}/{name}" for name in files] + [f for d in dirs for f in stored_files(f"{path}/{d}")]


def test_the_form_shows_the_requirements(client_for, adam, keyed):
    page = client_for(adam).get(new_url(keyed))
    assert page.status_code == 200
    html = page.content.decode()
    assert "MP4, at least 10 minutes, at most 1080p, 25 frames per second." in html
    assert "js/match-register.js" in html and "<script>" not in html


def test_a_coach_may_look_but_not_register(client_for, chloe, keyed):
    client = client_for(chloe)
    assert client.get(f"/o/{keyed.slug}/matches/").status_code == 200
    assert client.get(new_url(keyed)).status_code == 403
    assert (
        client.post(
            new_url(keyed), {"title": "x", "source": "url", "video_url": "https://e.x/a.mp4"}
        ).status_code
        == 403
    )
    assert not Match.objects.exists()


def test_a_too_short_clip_is_refused_next_to_the_file_field(client_for, adam, keyed, tmp_path):
    clip = make_video(tmp_path / "short.mp4", seconds=2)
    response = client_for(adam).post(
        new_url(keyed), {"title": "Friendly", "source": "upload", "file": upload(clip)}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "file": ["The video is 2 s; AI on the Ball needs at least 10 min of match."]
    }
    assert "field-error" in response.content.decode()
    assert not Match.objects.exists()
    assert stored_files() == []  # the checked file is not kept


def test_every_failed_requirement_is_listed(client_for, adam, keyed, tmp_path):
    clip = make_video(tmp_path / "wide.mp4", seconds=0.2, fps=30, width=2560, height=1440)
    response = client_for(adam).post(
        new_url(keyed), {"title": "Cup", "source": "upload", "file": upload(clip)}
    )
    assert response.context["form"].errors["file"] == [
        "The video is 0 s; AI on the Ball needs at least 10 min of match.",
        "The video is 2560×1440; AI on the Ball accepts at most 1080p (1920×1080).",
        "The video runs at 30 frames per second; AI on the Ball needs exactly 25 fps.",
    ]


def test_a_file_that_is_not_mp4_is_refused_before_it_is_stored(client_for, adam, keyed, tmp_path):
    clip = make_video(tmp_path / "match.mkv", seconds=1, container="matroska")
    response = client_for(adam).post(
        new_url(keyed), {"title": "Cup", "source": "upload", "file": upload(clip)}
    )
    assert response.context["form"].errors["file"] == [checks.NOT_MP4.format(name="match.mkv")]


@broken_mp4s
def test_a_file_that_starts_like_an_mp4_but_is_broken_is_refused_with_the_reason(
    client_for, adam, keyed, make, message
):
    broken = SimpleUploadedFile("final.mp4", make(tiny_mp4()), content_type="video/mp4")
    response = client_for(adam).post(new_url(keyed), {"title": "Cup", "source": "upload", "file": broken})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message.format(name="final.mp4")]
    assert not Match.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("name", ["final.mp4.exe", "final\u202e4pm.exe"])
def test_a_name_that_does_not_end_in_a_video_extension_is_refused(client_for, adam, keyed, name):
    video = SimpleUploadedFile(name, tiny_mp4(), content_type="video/mp4")
    response = client_for(adam).post(new_url(keyed), {"title": "Cup", "source": "upload", "file": video})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [names.name_problem(name)]
    assert "does not end in a video extension" in response.context["form"].errors["file"][0]
    assert "\u202e" not in response.content.decode()  # shown without the right-to-left override
    assert not Match.objects.exists()


def test_a_passing_file_is_stored_and_recorded(
    client_for, adam, keyed, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MATCHES_MIN_SECONDS = (
        1  # a 2-second clip stands in for a match here; the real minimum is tested elsewhere
    )
    clip = make_video(tmp_path / "short.mp4", seconds=2)
    with django_capture_on_commit_callbacks() as queued:
        response = client_for(adam).post(
            new_url(keyed),
            {"home_team": "Riverside", "away_team": "Hilltop", "source": "upload", "file": upload(clip)},
        )
    match = Match.objects.get()
    assert response.status_code == 302
    assert match.title == "Riverside – Hilltop"
    assert match.file_size == clip.stat().st_size and match.original_filename == "short.mp4"
    assert default_storage.exists(match.file.name)
    assert match.phase == Match.Phase.REGISTERING
    assert len(queued) == 1  # the registration task, queued once the row is committed
    assert AuditEvent.objects.filter(organization=keyed, verb="match.registered").count() == 1


def test_missing_fields_get_their_own_messages(client_for, adam, keyed):
    client = client_for(adam)
    errors = client.post(new_url(keyed), {"source": "upload"}).context["form"].errors
    assert errors == {"file": [NO_FILE], "title": [NO_TITLE]}
    errors = client.post(new_url(keyed), {"title": "Cup", "source": "url"}).context["form"].errors
    assert errors == {"video_url": [NO_URL]}


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/match.mp4", "javascript:alert(1)", "example.com/match.mp4", "file:///etc/passwd"],
)
def test_only_http_urls_are_accepted(client_for, adam, keyed, url):
    response = client_for(adam).post(new_url(keyed), {"title": "Cup", "source": "url", "video_url": url})
    assert response.status_code == 400
    assert response.context["form"].errors == {"video_url": [BAD_URL]}


def test_without_a_key_nothing_is_registered(client_for, adam, org_a):
    response = client_for(adam).post(
        new_url(org_a), {"title": "Cup", "source": "url", "video_url": "https://example.com/m.mp4"}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [NO_KEY]


def test_a_pasted_url_is_registered_with_the_provider(
    client_for, adam, keyed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(adam).post(
            new_url(keyed),
            {"title": "League", "home_team": "Riverside", "away_team": "Hilltop", "played_on": "2026-02-01",
             "source": "url", "video_url": "https://cdn.example.com/league.mp4"},
        )  # fmt: skip
    match = Match.objects.get()
    assert response.status_code == 302
    assert match.source == Match.Source.URL and match.video_url == "https://cdn.example.com/league.mp4"
    assert match.provider_video_id and match.video_status in ("init", "downloading")
    assert match.phase == Match.Phase.VIDEO
    session = Session.objects.get(provider="aiontheball")
    assert (session.external_id, session.activity, session.status) == (
        match.provider_video_id,
        "match",
        "processing",
    )
    assert session.provider_user_name == "Riverside – Hilltop"


def test_a_url_the_provider_cannot_fetch_ends_failed(
    client_for, adam, keyed, django_capture_on_commit_callbacks, settings
):
    from coachportal.matches.sync import poll_match

    with django_capture_on_commit_callbacks(execute=True):
        client_for(adam).post(
            new_url(keyed),
            {"title": "Lost", "source": "url", "video_url": "https://cdn.example.com/unreachable.mp4"},
        )
    match = Match.objects.get()
    import time

    for _ in range(40):
        poll_match(match)
        if match.is_finished:
            break
        time.sleep(0.1)
    assert match.phase == Match.Phase.FAILED
    assert match.last_error.startswith("AI on the Ball could not download or read the video.")
    assert Session.objects.get(provider="aiontheball").status == "failed"


def test_the_scheduler_command_follows_unfinished_matches(
    client_for, adam, keyed, django_capture_on_commit_callbacks
):
    import io
    import time

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        client_for(adam).post(
            new_url(keyed),
            {"title": "Night game", "source": "url", "video_url": "https://cdn.example.com/n.mp4"},
        )
    deadline = time.monotonic() + 20
    while not Match.objects.get().is_finished:
        assert time.monotonic() < deadline, Match.objects.get().analysis_status
        call_command("sync_matches", "--all", stdout=io.StringIO())
        time.sleep(0.1)
    assert Match.objects.get().phase == Match.Phase.DONE
