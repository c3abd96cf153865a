"""The AI on the Ball client against the sandbox: registering, reading, changing and deleting videos."""

import io

import av
import pytest
import requests

from coachportal.providers.aiontheball import InvalidRequest, NotFound
from tests.fixtures.aiontheball_sandbox import poll

MATCH_URL = "https://storage.example.com/matches/riverside-vs-hilltop.mp4"


def test_a_new_token_sees_no_videos(aiontheball_client):
    page = aiontheball_client.list_videos()

    assert page.videos == []
    assert page.total == 0
    assert not page.has_next


def test_it_registers_a_video_by_url(aiontheball_client):
    video = aiontheball_client.create_video(
        MATCH_URL,
        title="Riverside vs Hilltop",
        home_team_name="Riverside",
        away_team_name="Hilltop",
        date="2025-03-01",
    )

    assert video.id > 0
    assert video.status == "init"
    assert video.title == "Riverside vs Hilltop"
    assert video.game_name
    assert video.created_at is not None
    fetched = aiontheball_client.get_video(video.id)
    assert (fetched.home_team_name, fetched.away_team_name) == ("Riverside", "Hilltop")
    assert str(fetched.date) == "2025-03-01"


def test_a_video_walks_from_init_to_available(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)

    ready, seen = poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_ready)

    assert seen == ["init", "downloading", "locally_available", "available"]
    assert 5400 <= ready.duration <= 5700
    assert ready.mp4_source.endswith(f"/{video.id}.mp4")
    assert [ref.id for ref in ready.analyses] == []


def test_an_unreachable_url_ends_in_error(aiontheball_client):
    video = aiontheball_client.create_video("https://unreachable.example.com/match.mp4")

    failed, seen = poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_failed)

    assert failed.status == "error"
    assert "available" not in seen


def test_a_video_without_a_match_ends_in_no_match_detected(aiontheball_client):
    video = aiontheball_client.create_video("https://storage.example.com/no-match/parking-lot.mp4")

    failed, _ = poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_failed)

    assert failed.status == "no_match_detected"


@pytest.mark.slow
def test_a_localhost_url_is_really_downloaded_and_measured(aiontheball_sandbox, aiontheball_client):
    source = aiontheball_client.create_video(MATCH_URL)
    source, _ = poll(lambda: aiontheball_client.get_video(source.id), lambda v: v.is_ready, timeout=30)

    copy = aiontheball_client.create_video(source.mp4_source, title="Copy")
    copy, seen = poll(lambda: aiontheball_client.get_video(copy.id), lambda v: not v.is_pending, timeout=60)

    assert copy.status == "available"
    assert copy.duration == source.duration
    assert "downloading" in seen


def test_a_localhost_url_that_answers_404_ends_in_error(aiontheball_sandbox, aiontheball_client):
    url = f"{aiontheball_sandbox.control_url}/media/videos/99999999.mp4"
    video = aiontheball_client.create_video(url)

    failed, _ = poll(lambda: aiontheball_client.get_video(video.id), lambda v: not v.is_pending)

    assert failed.status == "error"


@pytest.mark.slow
def test_the_mp4_source_is_a_playable_mp4_that_answers_range_requests(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)
    video, _ = poll(lambda: aiontheball_client.get_video(video.id), lambda v: v.is_ready)

    partial = requests.get(video.mp4_source, headers={"Range": "bytes=0-99"}, timeout=60)
    whole = requests.get(video.mp4_source, timeout=60)

    assert partial.status_code == 206
    assert partial.headers["Content-Range"].startswith("bytes 0-99/")
    assert b"ftyp" in partial.content[:16]
    with av.open(io.BytesIO(whole.content)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.duration / 1_000_000 == pytest.approx(video.duration, abs=1)


def test_it_updates_a_videos_metadata(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL, title="Old title")

    updated = aiontheball_client.update_video(video.id, title="New title", left_start_team="away")

    assert updated.title == "New title"
    assert aiontheball_client.get_video(video.id).title == "New title"
    assert updated.extra["left_start_team"] == "away"


def test_a_misspelt_field_is_refused_before_anything_is_sent(aiontheball_client):
    before = [video.id for video in aiontheball_client.iter_videos()]

    with pytest.raises(TypeError, match="titel"):
        aiontheball_client.create_video(MATCH_URL, titel="Derby")
    video = aiontheball_client.create_video(MATCH_URL, title="Derby")
    with pytest.raises(TypeError, match="home_team"):
        aiontheball_client.update_video(video.id, home_team="Riverside")

    assert [v.id for v in aiontheball_client.iter_videos() if v.id not in before] == [video.id]
    assert aiontheball_client.get_video(video.id).home_team_name == ""


def test_an_invalid_date_is_an_invalid_request_naming_the_field(aiontheball_client):
    with pytest.raises(InvalidRequest) as caught:
        aiontheball_client.create_video(MATCH_URL, date="15/01/2025")

    assert caught.value.status_code == 422
    assert caught.value.errors == {"date": ["The date field must match the format Y-m-d."]}
    assert caught.value.retryable is False


def test_registering_without_a_url_is_an_invalid_request(aiontheball_client):
    with pytest.raises(InvalidRequest) as caught:
        aiontheball_client.create_video("")

    assert "video_file_url" in caught.value.errors


def test_a_url_that_is_not_http_is_an_invalid_request(aiontheball_client):
    with pytest.raises(InvalidRequest, match="valid URL"):
        aiontheball_client.create_video("ftp://example.com/match.mp4")


def test_it_deletes_a_video_and_its_analyses(aiontheball_client):
    video = aiontheball_client.create_video(MATCH_URL)
    analysis = aiontheball_client.create_analysis(video.id)

    aiontheball_client.delete_video(video.id)

    with pytest.raises(NotFound):
        aiontheball_client.get_video(video.id)
    with pytest.raises(NotFound):
        aiontheball_client.get_analysis(analysis.id)


def test_an_unknown_video_is_not_found(aiontheball_client):
    with pytest.raises(NotFound) as caught:
        aiontheball_client.get_video(987654321)

    assert caught.value.status_code == 404
    assert caught.value.retryable is False


def test_iterating_follows_the_pagination_to_the_last_page(aiontheball_sandbox, aiontheball_client):
    created = [aiontheball_client.create_video(f"{MATCH_URL}?n={n}").id for n in range(5)]
    aiontheball_sandbox.set_page_size(2)

    first = aiontheball_client.list_videos()
    everything = [video.id for video in aiontheball_client.iter_videos()]

    assert [video.id for video in first.videos] == created[:2]
    assert (first.current_page, first.last_page, first.total) == (1, 3, 5)
    assert first.has_next
    assert everything == created


def test_an_undocumented_query_parameter_is_refused_with_400(aiontheball_sandbox, aiontheball_token):
    response = requests.get(
        f"{aiontheball_sandbox.base_url}/videos",
        params={"per_page": 1},
        headers={"Authorization": f"Bearer {aiontheball_token}", "Accept": "application/json"},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"per_page": ["The per_page parameter is not supported."]}
    with pytest.raises(InvalidRequest) as caught:
        aiontheball_sandbox.client(aiontheball_token)._json("GET", "/videos", params={"sort": "title"})
    assert caught.value.status_code == 400
    assert "sort" in caught.value.errors


def test_one_token_never_sees_another_tokens_videos(aiontheball_sandbox, aiontheball_client):
    theirs = aiontheball_sandbox.client(aiontheball_sandbox.create_token("Other club"))
    their_video = theirs.create_video(MATCH_URL, title="Private")
    their_analysis = theirs.create_analysis(their_video.id)

    assert [video.id for video in aiontheball_client.iter_videos()] == []
    for attempt in (
        lambda: aiontheball_client.get_video(their_video.id),
        lambda: aiontheball_client.update_video(their_video.id, title="Mine now"),
        lambda: aiontheball_client.delete_video(their_video.id),
        lambda: aiontheball_client.create_analysis(their_video.id),
        lambda: aiontheball_client.get_analysis(their_analysis.id),
        lambda: aiontheball_client.get_events(their_analysis.id),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert theirs.get_video(their_video.id).title == "Private"
