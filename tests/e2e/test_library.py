"""A coach filters the library, goes Back, opens a session and watches the analysed video."""

import re

import pytest
from playwright.sync_api import expect

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.sessions import sync

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coach_filters_goes_back_and_watches_a_session(
    live_server, page, screenshot, org_a, chloe, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = aikynetix_sandbox.create_key_holder(
        admin=True, users=[("u-ana", "Ana Runner"), ("u-ben", "Ben Jumper")], processing_seconds=3600
    )
    with aikynetix_sandbox.client(holder.key) as client:
        uploads = [
            client.upload_running(aikynetix_video, user_id="u-ana", session_name="Ana tempo run"),
            client.upload_jumping(aikynetix_video, user_id="u-ana", session_name="Ana box jumps"),
            client.upload_running(aikynetix_video, user_id="u-ben", session_name="Ben easy run"),
            client.upload_weightlifting(
                aikynetix_video, user_id="u-ben", session_name="Ben snatch", exercise_name="snatch"
            ),
        ]
    for upload in uploads[:-1]:
        aikynetix_sandbox.complete_session(upload.session_id)
    credentials.save_key(org_a, "aikynetix", api_key=holder.key, label="", actor=None)
    ana = Athlete.objects.create(organization=org_a, name="Ana Runner", aikynetix_user_id="u-ana")
    assert sync.sync_organization(org_a).created == 4

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(chloe.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_text("(unassigned athlete)").first).to_be_visible()
    screenshot("library")

    page.evaluate("window.__no_reload_marker = 1")
    page.get_by_label("Athlete").select_option(label="Ana Runner")
    expect(page).to_have_url(re.compile(rf"athlete={ana.pk}"))
    expect(rows).to_have_count(2)
    page.get_by_label("Activity").select_option(label="Vertical jump")
    expect(page).to_have_url(re.compile(r"activity=jumping"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ana box jumps")
    assert page.evaluate("window.__no_reload_marker") == 1  # swapped in place
    screenshot("library-filtered")

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"activity="))
    expect(page).to_have_url(re.compile(rf"athlete={ana.pk}"))
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Activity")).to_have_value("")
    expect(page.get_by_label("Athlete")).to_have_value(str(ana.pk))

    page.get_by_role("link", name="Ana tempo run").click()
    expect(page.get_by_role("heading", name="Ana tempo run")).to_be_visible()
    video = page.locator("#video video")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.querySelector('#video video').readyState >= 1", timeout=20_000)
    page.evaluate(
        "document.querySelector('#video video').muted = true; document.querySelector('#video video').play()"
    )
    page.wait_for_function("() => document.querySelector('#video video').currentTime > 0.5", timeout=20_000)
    page.get_by_label("Playback speed").select_option("0.5")
    assert page.evaluate("document.querySelector('#video video').playbackRate") == 0.5
    page.evaluate("document.querySelector('#video video').pause()")
    before = page.evaluate("document.querySelector('#video video').currentTime")
    page.locator("body").press(".")
    page.wait_for_function(f"() => document.querySelector('#video video').currentTime > {before}")
    expect(page.get_by_role("heading", name="Metrics")).to_be_visible()
    screenshot("session-detail")
