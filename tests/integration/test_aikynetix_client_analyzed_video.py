"""Processing, analysed-video URLs and the playable, seekable MP4 behind them."""

import time

import av
import numpy as np
import pytest
import requests

from coachportal.providers.aikynetix import InvalidRequest, NotFound, NotPermitted, SessionStatus


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def download(url, path):
    path.write_bytes(wait_for(lambda: (r := requests.get(url, timeout=30)).ok and r.content))
    return path


def first_frame(path):
    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24").astype(int)


def test_a_session_is_processing_then_ready_with_metrics_and_an_analysed_video(
    aikynetix_sandbox, aikynetix_video
):
    org = aikynetix_sandbox.create_key_holder(processing_seconds=1)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_jumping(aikynetix_video, user_id=org.user_ids[0]).session_id

    before = client.fetch_sessions([session_id])[0]
    after = wait_for(
        lambda: next((s for s in client.list_sessions() if s.status is SessionStatus.READY), None), 10
    )

    assert before.status is SessionStatus.PROCESSING
    assert before.metrics == {} and before.analyzed_video_url is None
    assert {"jump_height", "flight_time", "contact_time", "rsi"} <= set(after.metrics)
    assert after.analyzed_video_url.endswith("/analyzed_video.mp4")
    assert after.segments == len(after.metrics["jump_height"])


def test_metrics_are_deterministic_per_session(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_weightlifting(
        aikynetix_video, exercise_name="clean", user_id=org.user_ids[0]
    ).session_id
    aikynetix_sandbox.complete_session(session_id)

    first, second = (client.fetch_sessions([session_id])[0] for _ in range(2))

    assert first.metrics == second.metrics
    assert {"max_bar_speed", "first_pull_end", "catch_end"} <= set(first.metrics)
    assert "bar" in first.extra["report_metrics"]


def test_a_failed_session_is_reported_as_failed(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(processing_seconds=3600)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id

    aikynetix_sandbox.fail_session(session_id)

    assert client.fetch_sessions([session_id])[0].status is SessionStatus.FAILED
    with pytest.raises(NotFound):
        client.get_analyzed_video_url(session_id)


def test_the_analysed_video_is_a_playable_h264_clip_with_an_overlay_on_the_uploaded_frames(
    aikynetix_sandbox, aikynetix_video, tmp_path
):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)

    path = download(client.get_analyzed_video_url(session_id), tmp_path / "analysed.mp4")

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (480, 270)  # the upload's frames, not a synthetic clip
        assert sum(1 for _ in container.decode(video=0)) > 10
    assert path.read_bytes().find(b"moov") < path.read_bytes().find(b"mdat")  # faststart
    overlay_pixels = np.abs(first_frame(path) - first_frame(aikynetix_video)).sum(axis=2) > 120
    assert overlay_pixels.sum() > 500


def test_an_upload_that_cannot_be_decoded_still_gets_a_playable_synthetic_clip(aikynetix_sandbox, tmp_path):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    garbage = tmp_path / "broken.mp4"
    garbage.write_bytes(b"not a video" * 1000)
    session_id = client.upload_running(garbage, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)

    path = download(client.get_analyzed_video_url(session_id), tmp_path / "analysed.mp4")

    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) > 10


def test_the_analysed_video_answers_range_requests_so_a_browser_can_seek(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)
    url = client.get_analyzed_video_url(session_id)
    whole = wait_for(lambda: (r := requests.get(url, timeout=30)).ok and r.content)

    head = requests.get(url, headers={"Range": "bytes=0-1023"}, timeout=10)
    tail = requests.get(url, headers={"Range": "bytes=-100"}, timeout=10)

    assert head.status_code == 206
    assert head.headers["Content-Range"] == f"bytes 0-1023/{len(whole)}"
    assert head.headers["Content-Type"] == "video/mp4"
    assert head.content == whole[:1024]
    assert tail.content == whole[-100:]
    assert requests.head(url, timeout=10).headers["Accept-Ranges"] == "bytes"


def test_the_original_upload_is_served_too(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id

    (session,) = client.fetch_sessions([session_id])

    assert requests.get(session.video_url, timeout=10).content == aikynetix_video.read_bytes()


def test_a_download_url_is_signed_and_served_as_an_attachment(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder()
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_weightlifting(
        aikynetix_video, exercise_name="snatch", user_id=org.user_ids[0]
    ).session_id
    aikynetix_sandbox.complete_session(session_id)

    url = client.get_analyzed_video_url(session_id, is_weight=True, download=True)
    response = wait_for(lambda: (r := requests.get(url, timeout=30)).ok and r)

    assert "X-Goog-Signature=" in url
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_while_processing_the_analysed_video_is_not_found(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(processing_seconds=3600)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id

    with pytest.raises(NotFound) as caught:
        client.get_analyzed_video_url(session_id)

    assert caught.value.message == "Session data not found"


def test_generate_creates_a_missing_analysed_video_once(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(auto_analyzed_video=False)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_jumping(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)
    assert client.fetch_sessions([session_id])[0].analyzed_video_url is None

    url = client.generate_analyzed_video(session_id, is_jump=True)

    assert client.fetch_sessions([session_id])[0].analyzed_video_url == url
    with pytest.raises(InvalidRequest) as caught:
        client.generate_analyzed_video(session_id, is_jump=True)
    assert caught.value.message == "Video already analyzed"


def test_get_creates_a_missing_analysed_video_too(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(auto_analyzed_video=False)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)

    url = client.get_analyzed_video_url(session_id)

    assert wait_for(lambda: requests.get(url, timeout=30).ok)


def test_flags_that_contradict_the_activity_are_an_invalid_request(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(auto_analyzed_video=False)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)

    with pytest.raises(InvalidRequest):
        client.generate_analyzed_video(session_id, is_weight=True)


def test_a_key_without_a_valid_plan_may_not_get_the_analysed_video(aikynetix_sandbox, aikynetix_video):
    org = aikynetix_sandbox.create_key_holder(valid_plan=False)
    client = aikynetix_sandbox.client(org.key)
    session_id = client.upload_running(aikynetix_video, user_id=org.user_ids[0]).session_id
    aikynetix_sandbox.complete_session(session_id)

    with pytest.raises(NotPermitted) as caught:
        client.get_analyzed_video_url(session_id)

    assert caught.value.message == "User does not have a valid payment plan"
