"""A coach opens a finished match, clicks an event on the timeline and the video jumps to it."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

import pytest
from playwright.sync_api import expect

from coachportal.matches.models import Match
from coachportal.matches.sync import poll_match
from coachportal.organizations import credentials
from tests.fixtures.aiontheball_sandbox import poll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("a-long-test-password-42")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def finished_match(org_a, aiontheball_sandbox, aiontheball_token, settings):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    with aiontheball_sandbox.client(aiontheball_token) as api:
        # Ten minutes of match (trimmed by the end offset) keeps the sandbox's playable MP4 small.
        video = api.create_video(
            "https://cdn.example.com/e2e-derby.mp4",
            title="Derby day",
            home_team_name="Riverside",
            away_team_name="Hilltop",
            end_offset_seconds=600,
        )
        poll(lambda: api.get_video(video.id), lambda v: v.is_ready)
        analysis = api.create_analysis(video.id)
        poll(lambda: api.get_analysis(analysis.id), lambda a: a.is_done)
    match = Match.objects.create(
        organization=org_a, title="Derby day", home_team="Riverside", away_team="Hilltop", source="url",
        video_url="https://cdn.example.com/e2e-derby.mp4", provider_video_id=str(video.id),
        video_status="available", analysis_id=str(analysis.id), analysis_status="running", phase="analysing",
    )  # fmt: skip
    poll_match(match)  # the portal fetches the video URL, summary and events
    assert match.phase == Match.Phase.DONE, match.last_error
    return match


def test_a_coach_clicks_an_event_and_the_video_seeks_to_it(
    live_server, page, screenshot, org_a, chloe, finished_match
):
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{org_a.slug}/matches/")
    expect(page.get_by_role("link", name="Derby day")).to_be_visible()
    screenshot("matches-list")

    page.get_by_role("link", name="Derby day").click()
    expect(page.get_by_role("heading", name="Derby day")).to_be_visible()
    expect(page.get_by_role("heading", name="Riverside: players")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-match-video]').readyState >= 1", timeout=20_000
    )
    events = page.locator("[data-event-list] [data-seek]")
    expect(events.first).to_be_visible()
    target = events.nth(min(2, events.count() - 1))
    at = float(target.get_attribute("data-seek"))
    assert at > 1
    target.click()
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('[data-match-video]').currentTime - {at}) < 0.5",
        timeout=10_000,
    )
    expect(target).to_have_attribute("aria-current", "true")
    assert page.locator("[data-match-bar] .match-mark").count() == events.count()
    screenshot("match-detail")

    page.get_by_label("Which events").select_option("actions")
    expect(page).to_have_url(f"{live_server.url}/o/{org_a.slug}/matches/{finished_match.pk}/?events=actions")
    assert events.count() > 3
    later = events.last
    at = float(later.get_attribute("data-seek"))
    later.click()
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('[data-match-video]').currentTime - {at}) < 0.5",
        timeout=10_000,
    )

    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/?activity=match")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr").first).to_contain_text("Riverside – Hilltop")
    screenshot("library-matches")


def test_an_admin_sees_the_requirements_next_to_the_file(
    live_server, page, screenshot, org_a, adam, settings, tmp_path
):
    from coachportal.matches.testvideos import make_video

    credentials.save_key(org_a, "aiontheball", api_key="aiob-test-key", label="", actor=None)
    log_in(page, live_server, adam)
    page.goto(f"{live_server.url}/o/{org_a.slug}/matches/new/")
    expect(page.get_by_label("Video URL")).to_be_hidden()
    page.get_by_label("Home team").fill("Riverside")
    page.get_by_label("Away team").fill("Hilltop")
    clip = make_video(tmp_path / "warmup.mp4", seconds=2)
    page.get_by_label("Match file").set_input_files(str(clip))
    expect(page.locator("[data-precheck]")).to_contain_text("needs at least 10 minutes")
    page.get_by_role("button", name="Register match").click()
    expect(page.locator(".field-error").first).to_contain_text(
        "AI on the Ball needs at least 10 min of match."
    )
    screenshot("match-register-error")
    page.get_by_label("Paste a link").check()
    expect(page.get_by_label("Video URL")).to_be_visible()
    expect(page.get_by_label("Match file")).to_be_hidden()


def test_with_s3_storage_a_refused_presign_shows_each_problem_next_to_its_field(
    live_server, page, screenshot, org_a, adam, s3, tmp_path
):
    from coachportal.matches.testvideos import make_video

    credentials.save_key(org_a, "aiontheball", api_key="aiob-test-key", label="", actor=None)
    log_in(page, live_server, adam)
    page.goto(f"{live_server.url}/o/{org_a.slug}/matches/new/")
    form = page.locator(".match-form")
    expect(form).to_have_attribute("data-direct", "true")
    page.get_by_label("Match file").set_input_files(str(make_video(tmp_path / "derby.mp4", seconds=2)))
    page.get_by_role("button", name="Register match").click()  # no title, no teams: presign says no
    title = page.get_by_label("Title").locator("xpath=ancestor::div[contains(@class,'field')][1]")
    expect(title.locator(".field-error")).to_have_text("Give the match a title, or enter the two teams.")
    expect(page.locator("[data-progress]")).to_be_hidden()
    expect(page.get_by_role("button", name="Register match")).to_be_enabled()

    page.get_by_label("Home team").fill("Riverside")
    page.get_by_label("Match file").set_input_files(
        {"name": "derby.avi", "mimeType": "video/x-msvideo", "buffer": b"RIFF" + b"\0" * 100}
    )
    page.get_by_role("button", name="Register match").click()
    expect(title.locator(".field-error")).to_have_count(0)  # the earlier message is gone
    file_field = page.get_by_label("Match file").locator("xpath=ancestor::div[contains(@class,'field')][1]")
    expect(file_field.locator(".field-error.js-error")).to_contain_text("is not an MP4 file")
    screenshot("match-register-direct-error")


def test_a_coach_asks_for_the_state_now_and_the_status_follows_the_provider(
    live_server, page, screenshot, org_a, chloe, aiontheball_sandbox, aiontheball_token, settings
):
    settings.AIONTHEBALL_BASE_URL = aiontheball_sandbox.base_url
    settings.MATCHES_POLL_DEBOUNCE_SECONDS = 0
    credentials.save_key(org_a, "aiontheball", api_key=aiontheball_token, label="", actor=None)
    with aiontheball_sandbox.client(aiontheball_token) as api:
        video = api.create_video(
            "https://cdn.example.com/e2e-check.mp4", title="Cup tie", end_offset_seconds=600
        )
        poll(lambda: api.get_video(video.id), lambda v: v.is_ready)
    match = Match.objects.create(
        organization=org_a, title="Cup tie", source="url", video_url="https://cdn.example.com/e2e-check.mp4",
        provider_video_id=str(video.id), video_status="downloading", phase="video",
    )  # fmt: skip
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{org_a.slug}/matches/{match.pk}/")
    status = page.locator("[data-video-status]")
    expect(status).to_have_attribute("data-video-status", "downloading")
    page.wait_for_timeout(3500)  # the page's own polling only reads: nothing moved
    expect(status).to_have_attribute("data-video-status", "downloading")
    screenshot("match-check-now")
    page.get_by_role("button", name="Check now").click()
    expect(status).to_have_attribute("data-video-status", "available")
