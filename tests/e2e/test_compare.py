"""A coach compares two jumps side by side, in sync, and steps a 60 fps clip frame by frame."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coachportal.notes import shapes as drawing
from coachportal.notes.services import add_note
from tests.factories import PASSWORD, make_athlete, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FRAME_60 = 1 / 60
JUMPS = {"jump_height": [0.40, 0.45], "rsi": [1.2, 1.3], "contact_time": [0.30, 0.32], "peak_power": [3100]}
BETTER_JUMPS = {"jump_height": [0.50, 0.48, 0.44], "rsi": [1.1, 1.0], "contact_time": [0.28, 0.27]}
WEIGHTLIFT = {"max_bar_speed": 1.8, "start_of_lifting": 30, "first_pull_end": 66, "catch_end": 120}


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def times(page):
    return page.evaluate(
        "Array.from(document.querySelectorAll('[data-compare-video] video'), v => v.currentTime)"
    )


def wait_settled(page):
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('video')).every(v => v.readyState >= 2 && !v.seeking)",
        timeout=60_000,
    )


@pytest.fixture
def jumps(org_a, video_server, settings):
    settings.CSP_EXTRA_MEDIA_HOSTS = [video_server.base_url]
    ana = make_athlete(org_a, "Ana Jumper")
    ben = make_athlete(org_a, "Ben Jumper")
    first = make_session(
        org_a, athlete=ana, activity="jumping", title="Ana March jumps", metrics=JUMPS, frame_rate=60.0,
        analyzed_video_url=video_server.url("clip60.mp4"), raw={"end_frames": [60, 150]},
    )  # fmt: skip
    second = make_session(
        org_a, athlete=ben, activity="jumping", title="Ben April jumps", metrics=BETTER_JUMPS,
        frame_rate=30.0, analyzed_video_url=video_server.url("clip30.mp4"), raw={"end_frames": [45]},
    )  # fmt: skip
    return first, second


def test_two_sessions_play_with_one_press_and_stay_aligned_after_a_seek(
    live_server, page, chloe, jumps, axe, screenshot
):
    first, second = jumps
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{first.organization.slug}/compare/?s={first.pk}&o=0&s={second.pk}&o=0.5")
    expect(page.get_by_role("heading", name="Compare sessions")).to_be_visible()
    wait_settled(page)

    page.get_by_role("button", name="Play all").click()  # one press
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-compare-video] video'))"
        ".every(v => !v.paused && v.currentTime > 0.2)",
        timeout=60_000,
    )
    page.get_by_role("button", name="Pause all").click()
    wait_settled(page)

    # Seek the shared position bar: each video shows the same moment shifted by its offset.
    page.locator("[data-seek]").evaluate("s => { s.value = '1.2'; s.dispatchEvent(new Event('input')); }")
    wait_settled(page)
    a, b = times(page)
    assert a == pytest.approx(1.2, abs=FRAME_60)
    assert b - a == pytest.approx(0.5, abs=FRAME_60)

    # A frame step moves both by one frame of the finest clip (1/60 s), keeping the offset.
    page.get_by_role("button", name="Next frame").click()
    wait_settled(page)
    a2, b2 = times(page)
    assert a2 - a == pytest.approx(FRAME_60, abs=1e-3)
    assert b2 - a2 == pytest.approx(0.5, abs=FRAME_60)

    # Nudging the second video one of its frames (1/30 s) moves its offset, and the address keeps it.
    page.get_by_role("button", name="Shift this video one frame later").nth(1).click()
    expect(page).to_have_url(re.compile(r"o=0\.533"))
    expect(page.locator("[data-offset-input]").nth(1)).to_have_value("0.533")
    wait_settled(page)
    a3, b3 = times(page)
    assert b3 - a3 == pytest.approx(0.533, abs=FRAME_60)

    # The metrics table says better or worse in words as well as colour.
    table = page.locator(".compare-table")
    expect(table).to_contain_text("Jump height (best of 3)")
    expect(table).to_contain_text("▲ +5.0 cm (+11.1%) better")
    axe()
    screenshot("compare")

    # A bookmark of this address opens the same alignment.
    page.reload()
    expect(page.locator("[data-offset-input]").nth(1)).to_have_value("0.533")
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_frame_step_on_a_60_fps_clip_moves_one_sixtieth_of_a_second(
    live_server, page, chloe, jumps, axe, screenshot
):
    first, _ = jumps
    earlier = make_session(
        first.organization, athlete=first.athlete, activity="jumping", title="Ana February jumps",
        metrics=JUMPS, frame_rate=30.0, analyzed_video_url=first.analyzed_video_url.replace("60", "30"),
        recorded_at=first.recorded_at - timedelta(days=28),
    )  # fmt: skip
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{first.organization.slug}/sessions/{first.pk}/")
    expect(page.get_by_text("Frame step: 1/60 s.")).to_be_visible()
    page.wait_for_function("() => document.querySelector('#video video').readyState >= 2", timeout=60_000)
    page.evaluate("document.querySelector('#video video').currentTime = 0.5")
    wait_settled(page)
    before = page.evaluate("document.querySelector('#video video').currentTime")
    page.locator("body").press(".")
    page.wait_for_function(
        f"() => document.querySelector('#video video').currentTime > {before}", timeout=20_000
    )
    wait_settled(page)
    after = page.evaluate("document.querySelector('#video video').currentTime")
    assert after - before == pytest.approx(FRAME_60, abs=1e-3)

    # A provider marker (where jump 1 ends: frame 60 of 60 fps) seeks there.
    page.get_by_role("button", name=re.compile(r"^Jump 1 ends")).click()  # the list
    wait_settled(page)
    assert page.evaluate("document.querySelector('#video video').currentTime") == pytest.approx(
        1.0, abs=FRAME_60
    )

    # K plays and pauses; > goes faster; the key list is one click away.
    page.locator("body").press(">")
    assert page.evaluate("document.querySelector('#video video').playbackRate") == 1.25
    page.get_by_text("Keyboard shortcuts").click()
    expect(page.get_by_text("Back one second; while playing: slower")).to_be_visible()

    # A to B: mark 0.5 s to 1.0 s, play, and the video keeps coming back to A.
    page.evaluate("document.querySelector('#video video').currentTime = 0.5")
    wait_settled(page)
    page.get_by_role("button", name="Mark range start here (A)").click()
    page.evaluate("document.querySelector('#video video').currentTime = 1.0")
    wait_settled(page)
    page.get_by_role("button", name="Mark range end here (B)").click()
    expect(page.locator("[data-range]")).to_contain_text("(repeats)")
    page.evaluate("document.querySelector('#video video').currentTime = 0.5")
    wait_settled(page)
    page.locator("body").press("k")
    page.wait_for_timeout(1500)  # longer than the range at 1.25x: it has looped at least once
    now = page.evaluate("document.querySelector('#video video').currentTime")
    assert 0.45 <= now <= 1.1 and not page.evaluate("document.querySelector('#video video').paused")
    page.locator("body").press("k")

    expect(page.get_by_role("heading", name="Key numbers")).to_be_visible()
    expect(page.locator(".key-numbers")).to_contain_text("Jump height (best of 2)45.0 cm")
    axe()
    screenshot("session-detail")

    # Compare with previous: the same athlete's jumps before these, first, then these.
    page.get_by_role("button", name="Compare with previous").click()
    expect(page).to_have_url(re.compile(rf"/compare/\?s={earlier.pk}&s={first.pk}$"))
    expect(page.locator("[data-compare-video] video")).to_have_count(2)


def test_the_session_page_and_its_key_numbers_side_by_side_on_a_wide_screen(
    live_server, page, chloe, org_a, video_server, settings
):
    settings.CSP_EXTRA_MEDIA_HOSTS = [video_server.base_url]
    lift = make_session(
        org_a, activity="weightlifting", exercise="snatch", title="Snatch 70 kg", metrics=WEIGHTLIFT,
        frame_rate=30.0, analyzed_video_url=video_server.url("clip30.mp4"),
    )  # fmt: skip
    log_in(page, live_server, chloe)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/{lift.pk}/")
    video = page.locator("#video").bounding_box()
    numbers = page.locator(".session-numbers").bounding_box()
    assert numbers["x"] > video["x"] + video["width"] - 1 and numbers["y"] < video["y"] + video["height"]
    assert numbers["y"] < 800  # a number is visible without scrolling
    expect(page.get_by_role("button", name=re.compile(r"^Start of lift"))).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    video = page.locator("#video").bounding_box()
    numbers = page.locator(".session-numbers").bounding_box()
    assert numbers["y"] >= video["y"] + video["height"] - 1  # stacked on a phone
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def test_different_activities_are_refused_and_another_clubs_session_is_not_found(
    live_server, page, chloe, org_a, org_b, jumps, axe
):
    first, _ = jumps
    run = make_session(org_a, activity="running", title="Easy run")
    theirs = make_session(org_b, activity="jumping", title="Hilltop jumps")
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{org_a.slug}/compare/?s={first.pk}&s={run.pk}")
    expect(page.get_by_role("alert")).to_contain_text("different activities (Vertical jump, Running)")
    expect(page.get_by_role("link", name="Easy run")).to_be_visible()
    axe()
    response = page.goto(f"{live_server.url}/o/{org_a.slug}/compare/?s={first.pk}&s={theirs.pk}")
    assert response.status == 404
    expect(page.get_by_text("Hilltop jumps")).to_have_count(0)


ARROW = {"type": "arrow", "points": [[0.2, 0.2], [0.45, 0.55]]}
KNEE = drawing.clean([{"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]]}], aspect=16 / 9)


def video_time(page, selector):
    return page.evaluate(f"document.querySelector('{selector}').currentTime")


def test_each_video_shows_its_notes_and_a_note_of_the_second_seeks_both_to_its_moment(
    live_server, page, chloe, jumps, axe, screenshot
):
    first, second = jumps
    add_note(first, actor=chloe, at_seconds=0.1, text="Ana: arms swing late", shapes=[ARROW], aspect=16 / 9)
    add_note(second, actor=chloe, at_seconds=1.8, text="Ben: knee caves in", shapes=KNEE, aspect=16 / 9)
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{first.organization.slug}/compare/?s={first.pk}&o=0&s={second.pk}&o=0.5")
    wait_settled(page)
    ana = page.locator("[data-notes-for=compare-video-1]")
    ben = page.locator("[data-notes-for=compare-video-2]")
    expect(ana).to_contain_text("Ana: arms swing late")
    expect(ana).not_to_contain_text("Ben")
    expect(ben).to_contain_text("Ben: knee caves in")
    expect(ben).to_contain_text("Drawing: angle 90.0°")

    ben.get_by_role("button", name="Go to 0:01.8").click()
    wait_settled(page)
    a, b = times(page)
    assert b == pytest.approx(1.8, abs=FRAME_60)  # the second video shows its note's moment
    assert b - a == pytest.approx(0.5, abs=FRAME_60)  # and the first follows, its offset kept
    videos = page.locator("[data-compare-video]")
    drawing = videos.nth(1).locator("[data-note-drawing] [data-shape=angle]")
    expect(drawing).to_have_count(1)
    expect(drawing).to_have_attribute("data-degrees", "90.0°")
    expect(videos.nth(0).locator("[data-note-drawing]")).to_have_count(0)  # Ana's note is at 0.1 s
    expect(ben.locator(".note--current")).to_have_count(1)
    axe()
    screenshot("compare-notes")

    # Back to the start: Ana's arrow shows over her video only.
    ana.get_by_role("button", name="Go to 0:00.1").click()
    wait_settled(page)
    expect(videos.nth(0).locator("[data-note-drawing] [data-shape=arrow]")).to_have_count(1)
    expect(videos.nth(1).locator("[data-note-drawing]")).to_have_count(0)


def test_a_tick_on_the_timeline_seeks_there_on_the_session_page_and_on_the_compare_page(
    live_server, page, chloe, jumps, axe, screenshot
):
    first, second = jumps  # Ana's jumps end at frames 60 and 150 of 60 fps; Ben's at frame 45 of 30 fps
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{first.organization.slug}/sessions/{first.pk}/")
    wait_settled(page)
    tick = page.get_by_role("button", name="Go to Jump 2 ends (2.50 s)")
    expect(tick).to_be_visible()
    track = page.locator("[data-timeline-track]").bounding_box()
    box = tick.bounding_box()
    duration = page.evaluate("document.querySelector('#video video').duration")
    assert box["x"] + box["width"] / 2 - track["x"] == pytest.approx(track["width"] * 2.5 / duration, abs=3)
    tick.click()
    wait_settled(page)
    assert video_time(page, "#video video") == pytest.approx(2.5, abs=FRAME_60)

    # From the keyboard: Tab reaches the ticks, Enter on one seeks there.
    page.get_by_role("button", name="Go to Jump 1 ends (1.00 s)").focus()
    page.keyboard.press("Enter")
    wait_settled(page)
    assert video_time(page, "#video video") == pytest.approx(1.0, abs=FRAME_60)
    expect(page.get_by_role("button", name=re.compile(r"^Jump 1 ends"))).to_be_visible()  # the list stays
    axe()
    screenshot("session-timeline")

    # On the compare page a tick of the second video moves the shared clock, the offset honoured.
    page.goto(f"{live_server.url}/o/{first.organization.slug}/compare/?s={first.pk}&o=0&s={second.pk}&o=0.5")
    wait_settled(page)
    ben_video = page.locator("[data-compare-video]").nth(1)
    ben_video.get_by_role("button", name="Go to Jump 1 ends (1.50 s)").click()
    wait_settled(page)
    a, b = times(page)
    assert b == pytest.approx(1.5, abs=FRAME_60)
    assert b - a == pytest.approx(0.5, abs=FRAME_60)
    axe()
