"""With S3 storage a match file goes from the browser straight to the bucket: the portal presigns the POST,
then "finish" checks the object in the bucket (there, by ranged reads) before the match is registered."""
# ruff: noqa: RUF003 (en dashes and × are the typography people read)

import datetime as dt
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.storage import default_storage

from coachportal.matches import checks, files
from coachportal.matches.models import Match
from coachportal.matches.testvideos import make_video
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.videofiles import probe
from tests.fixtures.s3 import S3_TEST_BUCKET, put_like_the_browser

pytestmark = pytest.mark.django_db

BUCKET = S3_TEST_BUCKET


@pytest.fixture
def keyed(org_a):
    credentials.save_key(org_a, "aiontheball", api_key="key-for-s3-tests-000", label="", actor=None)
    return org_a


@pytest.fixture
def short_clips(settings):
    settings.MATCHES_MIN_SECONDS = 1  # two-second clips stand in for matches; the minimum is tested below


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("s3clips")
    return {
        "good": make_video(folder / "derby.mp4", seconds=2).read_bytes(),
        "fast": make_video(folder / "fast.mp4", seconds=2, fps=30).read_bytes(),
        "mkv": make_video(folder / "match.mkv", seconds=1, container="matroska").read_bytes(),
    }


def presign(client, org, body: bytes, *, filename="derby.mp4", size=None, **fields):
    data = {
        "title": "Derby day",
        "home_team": "Riverside",
        "away_team": "Hilltop",
        "played_on": "2026-03-14",
        "source": "upload",
        "filename": filename,
        "size": len(body) if size is None else size,
        "content_type": "video/mp4",
        **fields,
    }
    return client.post(f"/o/{org.slug}/matches/new/presign/", data)


def finish(client, org, token):
    return client.post(f"/o/{org.slug}/matches/new/finish/", {"token": token})


def objects(s3):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_register_page_sends_files_to_the_bucket(client_for, adam, keyed, s3):
    html = client_for(adam).get(f"/o/{keyed.slug}/matches/new/").content.decode()
    assert 'data-direct="true"' in html
    assert f'data-presign-url="/o/{keyed.slug}/matches/new/presign/"' in html
    assert "<script>" not in html


def test_without_s3_the_page_posts_the_file_to_the_portal(client_for, adam, keyed):
    html = client_for(adam).get(f"/o/{keyed.slug}/matches/new/").content.decode()
    assert "data-direct" not in html
    assert presign(client_for(adam), keyed, b"x" * 10).status_code == 400


def test_presign_chooses_a_random_key_under_the_organizations_prefix(client_for, adam, keyed, s3, clips):
    response = presign(client_for(adam), keyed, clips["good"], filename="../../secret.mp4")
    assert response.status_code == 200
    answer = response.json()
    key = answer["fields"]["key"]
    assert key.startswith(f"matches/org-{keyed.pk}/") and key.endswith(".mp4")
    assert "secret" not in key
    assert answer["url"].startswith("https://")
    assert "policy" in {name.lower() for name in answer["fields"]}
    assert answer["fields"]["Content-Type"] == "video/mp4"
    assert not Match.objects.exists() and objects(s3) == []  # nothing until the file is in the bucket


def test_presign_checks_the_form_first(client_for, adam, keyed, s3, settings):
    client = client_for(adam)
    settings.MAX_UPLOAD_MB = 1
    response = presign(client, keyed, b"", size=2 * 1024 * 1024, filename="big.mp4")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["“big.mp4” is 2 MB, larger than the 1 MB limit."]
    response = presign(client, keyed, b"", filename="clip.avi", content_type="video/x-msvideo", size=100)
    assert response.json()["errors"]["file"] == [checks.NOT_MP4.format(name="clip.avi")]
    response = presign(client, keyed, b"x" * 100, title="", home_team="", away_team="")
    assert response.json()["errors"]["title"] == ["Give the match a title, or enter the two teams."]


def test_a_coach_may_not_presign_or_finish(client_for, chloe, keyed, s3, clips):
    client = client_for(chloe)
    assert presign(client, keyed, clips["good"]).status_code == 403
    assert finish(client, keyed, "whatever").status_code == 403


def test_finish_checks_the_object_and_registers_the_match(
    client_for, adam, keyed, s3, clips, short_clips, django_capture_on_commit_callbacks
):
    client = client_for(adam)
    answer = presign(client, keyed, clips["good"]).json()
    put_like_the_browser(s3, answer, clips["good"])
    with django_capture_on_commit_callbacks() as queued:
        response = finish(client, keyed, answer["token"])
    assert response.status_code == 201, response.content
    match = Match.objects.get()
    assert response.json()["match"] == {"id": match.pk, "url": f"/o/{keyed.slug}/matches/{match.pk}/"}
    assert (match.file.name, match.file_size, match.original_filename) == (
        answer["fields"]["key"],
        len(clips["good"]),
        "derby.mp4",
    )
    assert (match.title, match.home_team, str(match.played_on), match.duration_seconds) == (
        "Derby day",
        "Riverside",
        "2026-03-14",
        2,
    )
    assert match.phase == Match.Phase.REGISTERING
    assert len(queued) == 1  # the registration task
    assert AuditEvent.objects.filter(organization=keyed, verb="match.registered").count() == 1
    # Finishing twice is harmless.
    assert finish(client, keyed, answer["token"]).json()["match"]["id"] == match.pk
    assert Match.objects.count() == 1


@pytest.mark.slow
def test_a_file_failing_the_requirements_is_refused_next_to_the_field_and_deleted(
    client_for, adam, keyed, s3, clips, short_clips
):
    client = client_for(adam)
    answer = presign(client, keyed, clips["fast"], filename="fast.mp4").json()
    put_like_the_browser(s3, answer, clips["fast"])
    response = finish(client, keyed, answer["token"])
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "file": ["The video runs at 30 frames per second; AI on the Ball needs exactly 25 fps."]
    }
    assert not Match.objects.exists() and objects(s3) == []


def test_the_real_minimum_length_applies(client_for, adam, keyed, s3, clips):
    client = client_for(adam)
    answer = presign(client, keyed, clips["good"]).json()
    put_like_the_browser(s3, answer, clips["good"])
    assert finish(client, keyed, answer["token"]).json()["errors"]["file"] == [
        "The video is 2 s; AI on the Ball needs at least 10 min of match."
    ]
    assert objects(s3) == []


def test_a_matroska_file_named_mp4_is_refused(client_for, adam, keyed, s3, clips, short_clips):
    client = client_for(adam)
    answer = presign(client, keyed, clips["mkv"], filename="match.mp4").json()
    put_like_the_browser(s3, answer, clips["mkv"])
    assert finish(client, keyed, answer["token"]).json()["errors"]["file"] == [
        checks.NOT_MP4.format(name="match.mp4")
    ]
    assert objects(s3) == []


def test_finish_refuses_a_file_that_never_arrived(client_for, adam, keyed, s3, clips):
    client = client_for(adam)
    answer = presign(client, keyed, clips["good"]).json()
    response = finish(client, keyed, answer["token"])
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file did not arrive in storage. Upload it again."]
    assert not Match.objects.exists()


def test_finish_refuses_a_different_size_and_deletes_the_object(client_for, adam, keyed, s3, clips):
    client = client_for(adam)
    answer = presign(client, keyed, clips["good"]).json()
    put_like_the_browser(s3, answer, clips["good"] + b"extra")
    message = finish(client, keyed, answer["token"]).json()["errors"]["file"][0]
    assert f"not the {len(clips['good']):,} announced" in message
    assert objects(s3) == [] and not Match.objects.exists()


def test_only_the_person_who_started_may_finish(client_for, adam, olivia, keyed, s3, clips, short_clips):
    answer = presign(client_for(adam), keyed, clips["good"]).json()
    put_like_the_browser(s3, answer, clips["good"])
    response = finish(client_for(olivia), keyed, answer["token"])
    assert response.json()["errors"]["file"] == ["This upload was started by someone else."]
    assert not Match.objects.exists()


def test_a_tampered_token_is_refused(client_for, adam, keyed, s3, clips):
    answer = presign(client_for(adam), keyed, clips["good"]).json()
    response = finish(client_for(adam), keyed, answer["token"][:-2] + "xx")
    assert response.status_code == 400
    assert "expired or is not valid" in response.json()["errors"]["file"][0]


@pytest.mark.slow
def test_the_check_reads_only_the_header_ranges_of_a_long_match(s3, tmp_path):
    """A ten-minute match is probed by a couple of ranged GETs, never downloaded whole."""
    clip = make_video(tmp_path / "long.mp4", seconds=600).read_bytes()
    s3.put_object(Bucket=BUCKET, Key="matches/long.mp4", Body=clip)
    reader = probe.RangeReader(s3, BUCKET, "matches/long.mp4", len(clip), block=64 * 1024)
    facts = probe.probe(reader)
    assert (facts.container, round(facts.duration), facts.width, facts.height, facts.fps) == (
        "mp4",
        600,
        320,
        180,
        25,
    )
    assert reader.requests * 64 * 1024 < len(clip) / 2
    assert probe.probe_stored(default_storage, "matches/long.mp4") == facts


@pytest.mark.slow
def test_the_provider_gets_an_expiring_presigned_url_of_the_object(
    client_for, adam, keyed, s3, clips, short_clips, settings
):
    client = client_for(adam)
    answer = presign(client, keyed, clips["good"]).json()
    put_like_the_browser(s3, answer, clips["good"])
    match = Match.objects.get(pk=finish(client, keyed, answer["token"]).json()["match"]["id"])
    url = files.provider_file_url(match)
    parts = urlsplit(url)
    assert parts.scheme == "https" and BUCKET in parts.netloc + parts.path
    assert parts.path.endswith("/" + answer["fields"]["key"])
    assert {"signature", "x-amz-signature"} & set(query_of(url))
    assert expires_in(url) == pytest.approx(24 * 60 * 60, abs=5)
    # The link works: fetched over HTTP the way the provider would (moto answers for the bucket).
    assert requests.get(url, timeout=5).content == clips["good"]
    settings.MATCHES_FILE_URL_MAX_AGE = 600
    assert expires_in(files.provider_file_url(match)) == pytest.approx(600, abs=5)


def query_of(url: str) -> dict:
    return {name.lower(): values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def expires_in(url: str) -> float:
    """Seconds until a presigned URL stops working (signature version 2 or 4)."""
    query = query_of(url)
    if "x-amz-expires" in query:
        signed = dt.datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        return (signed - dt.datetime.now(dt.UTC)).total_seconds() + int(query["x-amz-expires"])
    return int(query["expires"]) - time.time()


@pytest.mark.slow
def test_the_pages_policy_lets_the_browser_post_to_the_presigned_url(
    client_for, adam, keyed, s3, clips, settings
):
    settings.AWS_STORAGE_BUCKET_NAME, settings.AWS_S3_REGION_NAME = BUCKET, "us-east-1"
    client = client_for(adam)
    policy = client.get(f"/o/{keyed.slug}/matches/new/")["Content-Security-Policy"]
    connect = next(part for part in policy.split(";") if part.strip().startswith("connect-src")).split()
    url = urlsplit(presign(client, keyed, clips["good"]).json()["url"])
    assert f"{url.scheme}://{url.netloc}" in connect
