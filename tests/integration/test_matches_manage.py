"""Owners and admins rename and delete matches: AI on the Ball (the sandbox) first, then the portal and the
library; when the provider says no, nothing changes and the page says why."""
# ruff: noqa: RUF003 (en dashes and × are the typography people read)

import datetime as dt
import re
import socket

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from coachportal.matches.library import upsert_session
from coachportal.matches.models import Match
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.providers import aiontheball as aob
from coachportal.sessions.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(org_a, aiontheball_sandbox, aiontheball_token, settings):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    with aiontheball_sandbox.client(aiontheball_token) as client:
        yield client


@pytest.fixture
def match(org_a, api, settings, tmp_path):
    """A match the provider has (a video registered by URL), with its library row and a stored file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    video = api.create_video(
        "https://cdn.example.com/derby.mp4",
        title="Derby",
        home_team_name="Riverside",
        away_team_name="Hilltop",
    )
    name = default_storage.save("matches/org-a/derby.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    match = Match.objects.create(
        organization=org_a, title="Derby", home_team="Riverside", away_team="Hilltop", source="upload",
        file=name, provider_video_id=str(video.id), video_status="available", phase="analysing",
    )  # fmt: skip
    upsert_session(match)
    match.refresh_from_db()
    return match


def edit_url(match):
    return f"/o/{match.organization.slug}/matches/{match.pk}/edit/"


def delete_url(match):
    return f"/o/{match.organization.slug}/matches/{match.pk}/delete/"


RENAME = {
    "title": "Derby (cup)",
    "home_team": "Riverside FC",
    "away_team": "Hilltop",
    "played_on": "2026-03-14",
}


def test_the_match_page_offers_rename_and_delete_to_managers_only(client_for, adam, chloe, match):
    page = f"/o/{match.organization.slug}/matches/{match.pk}/"
    html = client_for(adam).get(page).content.decode()
    assert edit_url(match) in html and delete_url(match) in html
    html = client_for(chloe).get(page).content.decode()
    assert edit_url(match) not in html and delete_url(match) not in html
    assert client_for(chloe).post(edit_url(match), RENAME).status_code == 403
    assert client_for(chloe).post(delete_url(match)).status_code == 403
    assert Match.objects.get().title == "Derby"


def test_a_rename_goes_to_the_provider_then_the_match_and_the_library(client_for, adam, match, api):
    form = client_for(adam).get(edit_url(match))
    assert form.status_code == 200 and 'value="Derby"' in form.content.decode()
    response = client_for(adam).post(edit_url(match), RENAME)
    assert response.status_code == 302 and response["Location"].endswith(f"/matches/{match.pk}/")
    video = api.get_video(int(match.provider_video_id))
    assert (video.title, video.home_team_name, video.away_team_name) == (
        "Derby (cup)",
        "Riverside FC",
        "Hilltop",
    )
    match.refresh_from_db()
    assert (match.title, match.home_team, match.played_on) == (
        "Derby (cup)",
        "Riverside FC",
        dt.date(2026, 3, 14),
    )
    session = Session.objects.get(pk=match.session_id)
    assert session.title == "Derby (cup)" and session.recorded_at.date() == dt.date(2026, 3, 14)
    event = AuditEvent.objects.get(verb="match.updated")
    assert event.detail["before"]["title"] == "Derby" and event.detail["after"]["title"] == "Derby (cup)"
    assert event.actor == adam


def test_a_rename_the_provider_refuses_changes_nothing_and_says_why(
    client_for, adam, match, api, aiontheball_sandbox
):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=503)
    response = client_for(adam).post(edit_url(match), RENAME)
    assert response.status_code == 400
    assert "AI on the Ball could not be reached, nothing was changed" in response.content.decode()
    aiontheball_sandbox.reset_faults()
    assert api.get_video(int(match.provider_video_id)).title == "Derby"
    match.refresh_from_db()
    assert match.title == "Derby" and Session.objects.get(pk=match.session_id).title == "Derby"
    assert not AuditEvent.objects.filter(verb="match.updated").exists()


def test_a_rename_needs_a_title_or_teams(client_for, adam, match):
    response = client_for(adam).post(edit_url(match), {"title": "", "home_team": "", "away_team": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["Give the match a title, or enter the two teams."]


def test_delete_asks_first(client_for, adam, match):
    page = client_for(adam).get(delete_url(match))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Delete this match?" in html and "This cannot be undone." in html
    assert Match.objects.filter(pk=match.pk).exists()


def test_delete_removes_the_video_at_the_provider_then_the_match_its_library_row_and_file(
    client_for, adam, match, api, django_capture_on_commit_callbacks
):
    name, session_id = match.file.name, match.session_id
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(adam).post(delete_url(match))
    assert response.status_code == 302 and response["Location"].endswith("/matches/")
    with pytest.raises(aob.NotFound):
        api.get_video(int(match.provider_video_id))
    assert not Match.objects.exists()
    assert not Session.objects.filter(pk=session_id).exists()
    assert not default_storage.exists(name)
    event = AuditEvent.objects.get(verb="match.deleted")
    assert event.detail == {
        "source": "upload",
        "title": "Derby",
        "provider_video_id": match.provider_video_id,
    }


def test_a_delete_the_provider_refuses_changes_nothing_and_says_why(
    client_for, adam, match, api, aiontheball_sandbox
):
    aiontheball_sandbox.set_faults(error_rate=1.0, error_status=403)
    response = client_for(adam).post(delete_url(match))
    assert response.status_code == 400
    assert "AI on the Ball did not allow this" in response.content.decode()
    aiontheball_sandbox.reset_faults()
    assert api.get_video(int(match.provider_video_id)).title == "Derby"
    assert Match.objects.filter(pk=match.pk).exists() and Session.objects.filter(pk=match.session_id).exists()
    assert default_storage.exists(match.file.name)
    assert not AuditEvent.objects.filter(verb="match.deleted").exists()


def test_a_video_already_deleted_at_the_provider_is_deleted_here_too(client_for, adam, match, api):
    api.delete_video(int(match.provider_video_id))
    assert client_for(adam).post(delete_url(match)).status_code == 302
    assert not Match.objects.exists()


def test_a_match_the_provider_never_got_is_deleted_here_only(client_for, adam, org_a, api):
    match = Match.objects.create(
        organization=org_a, title="Refused", source="url", video_url="https://e.x/a.mp4",
        video_status="rejected", phase="failed",
    )  # fmt: skip
    assert client_for(adam).post(delete_url(match)).status_code == 302
    assert not Match.objects.exists()


def test_a_match_being_registered_right_now_waits(client_for, adam, org_a, api):
    from django.utils import timezone

    match = Match.objects.create(
        organization=org_a, title="Sending", source="url", video_url="https://e.x/a.mp4",
        register_claimed_at=timezone.now(),
    )  # fmt: skip
    response = client_for(adam).post(delete_url(match))
    assert "being sent to AI on the Ball right now" in response.content.decode()
    assert Match.objects.exists()


def test_an_unreachable_provider_is_reported_as_a_sentence_without_exception_text(
    client_for, adam, match, settings
):
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.AIONTHEBALL_BASE_URL = f"http://127.0.0.1:{port}/api/v1"

    page = client_for(adam).post(edit_url(match), RENAME).content.decode()

    banner = re.search(r'role="alert">([^<]*)<', page).group(1).strip()
    assert banner.startswith("AI on the Ball could not be reached, nothing was changed")
    for raw in ("HTTPConnectionPool", "Errno", "Max retries", "NewConnectionError", "..", " ."):
        assert raw not in banner, banner
    assert banner.endswith(".")
