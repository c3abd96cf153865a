"""The sandbox's analysed video is a real, seekable video that Chromium plays."""

import time

import pytest
import requests

pytestmark = pytest.mark.e2e


def wait_until_ready(client, session_id, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [session] = [s for s in client.list_sessions() if s.id == session_id]
        if session.analyzed_video_url:
            return session
        time.sleep(0.3)
    raise AssertionError("the analysed video never appeared")


def test_an_uploaded_clips_analysed_video_plays_and_seeks_in_chromium(
    page, aikynetix_sandbox, aikynetix_video
):
    holder = aikynetix_sandbox.create_key_holder(admin=True, users=1, processing_seconds=0.5)
    client = aikynetix_sandbox.client(holder.key)
    upload = client.upload_running(aikynetix_video, user_id=holder.user_ids[0], session_name="Browser check")
    session = wait_until_ready(client, upload.session_id)
    url = client.get_analyzed_video_url(session.id)
    # Wait for the overlay render to finish: the file is served once it is complete. A loaded machine
    # renders slowly, so the wait is long and a slow or refused answer is one more try.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.head(url, timeout=30).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)

    page.set_content(f'<video id="v" src="{url}" muted playsinline controls></video>')
    page.wait_for_function("document.getElementById('v').readyState >= 2", timeout=60_000)
    duration = page.evaluate("document.getElementById('v').duration")
    assert duration > 0.5
    page.evaluate("document.getElementById('v').play()")
    page.wait_for_function("document.getElementById('v').currentTime > 0.3", timeout=60_000)
    # Seeking needs Range support from the server.
    page.evaluate(f"document.getElementById('v').currentTime = {duration / 2}")
    page.wait_for_function("!document.getElementById('v').seeking", timeout=60_000)
    assert page.evaluate("document.getElementById('v').currentTime") >= duration / 2 - 0.2
