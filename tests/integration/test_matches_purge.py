"""A match's stored file is deleted once AI on the Ball has had its own copy for longer than the
organization keeps local videos (keep_local_video_days); the match itself stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from coachportal.matches import files
from coachportal.matches.models import Match
from coachportal.matches.sync import poll_match
from coachportal.organizations import credentials
from tests.fixtures.aiontheball_sandbox import poll

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def stored_match(org, *, days_since_provider_has_it=None, video_status="available", title="Derby"):
    name = default_storage.save(f"matches/org-{org.pk}/{title}.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    since = None
    if days_since_provider_has_it is not None:
        since = timezone.now() - timedelta(days=days_since_provider_has_it)
    return Match.objects.create(
        organization=org, title=title, source="upload", file=name, file_size=16, provider_video_id="7",
        video_status=video_status, phase="analysing", provider_has_file_at=since,
    )  # fmt: skip


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_match_files", *args, stdout=out)
    return out.getvalue().strip()


def test_files_the_provider_has_had_longer_than_the_retention_are_deleted(org_a, org_b):
    org_a.keep_local_video_days = 30
    org_a.save()
    org_b.keep_local_video_days = 3
    org_b.save()
    old = stored_match(org_a, days_since_provider_has_it=31, title="old")
    recent = stored_match(org_a, days_since_provider_has_it=5, title="recent")
    other_org = stored_match(org_b, days_since_provider_has_it=5, title="other")
    old_name, other_name = old.file.name, other_org.file.name

    assert purge() == "Deleted 2 stored match files."

    old.refresh_from_db()
    assert not old.file and old.file_purged_at is not None and not default_storage.exists(old_name)
    assert (old.title, old.provider_video_id, old.phase) == ("old", "7", "analysing")  # the match stays
    other_org.refresh_from_db()
    assert not other_org.file and not default_storage.exists(other_name)
    recent.refresh_from_db()
    assert recent.file and default_storage.exists(recent.file.name)
    assert purge() == "Deleted 0 stored match files."  # nothing twice


def test_a_file_the_provider_never_got_is_kept(org_a):
    waiting = stored_match(org_a, video_status="downloading", title="waiting")
    refused = stored_match(org_a, video_status="rejected", title="refused")
    Match.objects.update(updated_at=timezone.now() - timedelta(days=400))
    assert purge() == "Deleted 0 stored match files."
    for match in (waiting, refused):
        assert default_storage.exists(match.file.name)


def test_matches_followed_before_the_time_was_recorded_use_their_last_change(org_a):
    stored_match(org_a, title="legacy")
    Match.objects.update(updated_at=timezone.now() - timedelta(days=31))
    assert purge() == "Deleted 1 stored match file."


def test_a_dry_run_only_counts(org_a):
    match = stored_match(org_a, days_since_provider_has_it=31)
    assert purge("--dry-run") == "Would delete 1 stored match file."
    assert default_storage.exists(match.file.name)


def test_a_purged_match_still_opens_and_its_download_link_is_gone(client, client_for, adam, org_a):
    match = stored_match(org_a, days_since_provider_has_it=31)
    link = reverse("matches_public:file", args=[files.file_token(match)])
    assert client.get(link).status_code == 200
    purge()
    assert client.get(link).status_code == 404
    assert client_for(adam).get(f"/o/{org_a.slug}/matches/{match.pk}/").status_code == 200


def test_following_a_match_records_when_the_provider_has_the_video(
    org_a, aiontheball_sandbox, aiontheball_token, settings
):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    with aiontheball_sandbox.client(aiontheball_token) as api:
        video = api.create_video("https://cdn.example.com/derby.mp4", title="Derby")
        poll(lambda: api.get_video(video.id), lambda v: v.is_ready)
    match = stored_match(org_a, video_status="init")
    Match.objects.filter(pk=match.pk).update(provider_video_id=str(video.id), phase="video")
    match.refresh_from_db()
    assert match.provider_has_file_at is None
    poll_match(match)
    match.refresh_from_db()
    assert match.video_status == "available"
    assert match.provider_has_file_at is not None
    first = match.provider_has_file_at
    poll_match(match)
    match.refresh_from_db()
    assert match.provider_has_file_at == first  # the first time counts
