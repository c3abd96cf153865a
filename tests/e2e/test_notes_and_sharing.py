"""A coach draws on a paused frame, measures a knee angle and saves a note; the organization sees it,
another organization does not; a share link shows the session to someone without an account, and stops
working when revoked. Pages run under the CSP with no violation, and the token is in no log line."""

import io
import logging
import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from coachportal.logredact import NoTracebackBelow500, RedactSecrets
from coachportal.notes.models import Note
from coachportal.organizations.models import Role
from coachportal.sharing.models import ShareLink
from tests.e2e.looking import ARTIFACTS
from tests.e2e.test_security import LISTEN, wait_until
from tests.factories import PASSWORD, make_member
from tests.integration.conftest import mirrored  # noqa: F401 (a fixture: a synced sandbox session)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIDEO = "document.querySelector('#video video')"


@pytest.fixture
def page(browser):
    """A context of its own under the real CSP (the screenshot fixture uses this page too)."""
    context = browser.new_context(bypass_csp=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def portal_log():
    """What the portal's console handler writes (with its filters) while the test runs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    filters = {"redact_secrets": RedactSecrets, "no_4xx_tracebacks": NoTracebackBelow500}
    for name in django_settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter(filters[name]())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def watch(page, problems):
    page.on("pageerror", lambda error: problems.append(f"JS error on {page.url}: {error}"))
    page.add_init_script(LISTEN)


def csp_violations(page) -> list:
    return page.evaluate("window.__cspViolations || []")


def log_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def drag(page, box, start, end):
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    for step in range(1, 6):
        x = start[0] + (end[0] - start[0]) * step / 5
        y = start[1] + (end[1] - start[1]) * step / 5
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y)
    page.mouse.up()


def click_at(page, box, point):
    page.mouse.click(box["x"] + box["width"] * point[0], box["y"] + box["height"] * point[1])


def test_a_coach_annotates_a_frame_and_shares_the_session(
    live_server,
    page,
    browser,
    screenshot,
    portal_log,
    org_a,
    chloe,
    bruno,
    mirrored,  # noqa: F811
):
    session = mirrored  # a finished sandbox session, synced: its analysed video is a real MP4
    base = live_server.url
    detail = f"{base}/o/{org_a.slug}/sessions/{session.pk}/"
    problems: list[str] = []
    watch(page, problems)

    # The coach pauses at 1.2 s, draws an arrow, measures the knee angle and saves a note.
    log_in(page, base, chloe.email)
    page.goto(detail)
    wait_until(page, f"{VIDEO}.readyState >= 1 && {VIDEO}.videoWidth > 0")
    page.evaluate(f"{VIDEO}.pause(); {VIDEO}.currentTime = 1.2")
    wait_until(page, "document.querySelector('#id_at_seconds').value === '1.200'")
    overlay = page.locator("[data-notes-overlay]")
    page.get_by_role("button", name="Arrow").click()
    overlay.scroll_into_view_if_needed()
    drag(page, overlay.bounding_box(), (0.3, 0.3), (0.45, 0.55))
    expect(page.locator("[data-draw-status]")).to_contain_text("Added.")
    page.get_by_role("button", name="Angle").click()
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    for point in ((0.55, 0.25), (0.55, 0.5), (0.7, 0.5)):  # hip, knee, ankle: a right angle on the picture
        click_at(page, box, point)
    expect(page.locator("[data-draw-status]")).to_contain_text("Angle: 90.0°")
    expect(overlay.locator("[data-layer=draft] [data-shape=angle]")).to_have_attribute(
        "data-degrees", "90.0°"
    )
    page.get_by_label("Note text").fill("Knee angle at landing: aim for less flexion")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator(".message--success")).to_contain_text("Note saved at 0:01.2")
    note = Note.objects.get(session=session)
    assert [s["type"] for s in note.shapes] == ["arrow", "angle"]
    assert note.shapes[1]["degrees"] == pytest.approx(90.0, abs=1.0)  # pixels round the clicks
    assert note.author == chloe and note.at_seconds == 1.2

    # After a reload the drawing is hidden at the start and shows when playback passes 1.2 s.
    page.goto(detail)
    wait_until(page, f"{VIDEO}.readyState >= 1 && {VIDEO}.videoWidth > 0")
    page.evaluate(f"{VIDEO}.currentTime = 0")
    wait_until(page, f"{VIDEO}.currentTime === 0")
    assert page.locator("[data-note-drawing]").count() == 0
    page.evaluate(f"{VIDEO}.muted = true; {VIDEO}.playbackRate = 0.5; {VIDEO}.play()")
    wait_until(page, "document.querySelector('[data-note-drawing]') !== null", timeout=30)
    page.evaluate(f"{VIDEO}.pause()")
    assert page.evaluate(f"{VIDEO}.currentTime") > 1.0
    drawing = page.locator("[data-note-drawing]")
    expect(drawing.locator("[data-shape=arrow]")).to_have_count(1)
    expect(drawing.locator("[data-shape=angle]")).to_have_attribute(
        "data-degrees", re.compile(r"^(89|90|91)\.\d°$")
    )
    expect(page.locator(".note--current")).to_contain_text("Knee angle at landing")
    page.get_by_role("button", name="Go to 0:01.2").click()
    wait_until(page, "document.querySelector('[data-note-drawing]') !== null")
    screenshot("session-notes")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 1280, "height": 800})

    # Another coach of the organization sees the note and its drawing; another organization gets 404.
    carl = make_member(org_a, Role.COACH, email="carl@riverside.example").user
    other = browser.new_context(bypass_csp=False)
    try:
        coach_page = other.new_page()
        log_in(coach_page, base, carl.email)
        coach_page.goto(detail)
        expect(coach_page.locator("#notes")).to_contain_text("Knee angle at landing")
        wait_until(coach_page, f"{VIDEO}.readyState >= 1 && {VIDEO}.videoWidth > 0")
        coach_page.get_by_role("button", name="Go to 0:01.2").click()
        wait_until(coach_page, "document.querySelector('[data-note-drawing] [data-shape=angle]') !== null")
        assert coach_page.get_by_role("link", name="Edit").count() == 0  # not theirs to change
        coach_page.context.clear_cookies()
        log_in(coach_page, base, bruno.email)
        assert coach_page.goto(detail).status == 404
    finally:
        other.close()

    # A share link, opened in a fresh browser with no cookies, shows the session and nothing else.
    page.get_by_role("button", name="Share this session…").click()
    page.get_by_label("Expires after").select_option("3")
    page.get_by_label("Note for the recipient (optional)").fill("Ana: watch your left knee at 1.2 s")
    page.get_by_role("button", name="Create link").click()
    share_url = page.locator("[data-share-url]").input_value()
    token = share_url.rstrip("/").rsplit("/", 1)[1]
    assert share_url.startswith(f"{base}/share/") and len(token) >= 43
    stranger = browser.new_context(bypass_csp=False)
    try:
        public = stranger.new_page()
        watch(public, problems)
        response = public.goto(share_url)
        assert response.status == 200
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-robots-tag"].startswith("noindex")
        assert "no-store" in response.headers["cache-control"]
        expect(public.get_by_role("heading", name="Tempo")).to_be_visible()
        expect(public.get_by_text("Ana: watch your left knee at 1.2 s")).to_be_visible()
        expect(public.locator("#notes")).to_contain_text("Knee angle at landing")
        expect(public.get_by_role("heading", name="Key metrics")).to_be_visible()
        assert public.locator("a").count() == 0  # nothing of the organization is reachable from it
        assert public.locator("form").count() == 0
        wait_until(public, f"{VIDEO}.readyState >= 1 && {VIDEO}.videoWidth > 0")
        public.get_by_role("button", name="Go to 0:01.2").click()
        wait_until(public, "document.querySelector('[data-note-drawing] [data-shape=angle]') !== null")
        problems.extend(f"CSP violation on the share page: {v}" for v in csp_violations(public))
        for width, height, label in ((1280, 800, "desktop"), (390, 844, "phone")):
            public.set_viewport_size({"width": width, "height": height})
            assert public.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            public.screenshot(path=str(ARTIFACTS / f"share-page-{label}.png"), full_page=True)

        # The creator sees the view on the list and revokes it: 410; a tampered token: 404.
        page.goto(f"{base}/o/{org_a.slug}/shares/")
        expect(page.locator(".share-views").first).to_contain_text("1")
        screenshot("share-links")
        page.get_by_role("button", name=re.compile("Revoke")).click()
        expect(page.locator(".message--success")).to_contain_text("Link revoked")
        assert public.goto(share_url).status == 410
        expect(public.get_by_role("heading", name="This link is no longer available")).to_be_visible()
        tampered = share_url[:-2] + ("x" if share_url[-2] != "x" else "y") + "/"
        assert public.goto(tampered).status == 404
    finally:
        stranger.close()
    assert ShareLink.objects.get().views == 1

    # The creator was told the link was opened: the bell counts it, the list shows it.
    page.goto(f"{base}/o/{org_a.slug}/sessions/")
    expect(page.locator(".bell .bell-count")).to_have_text("1")
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    expect(page.locator(".notification--unread")).to_contain_text("Your link was opened: Tempo")
    screenshot("notifications")
    problems.extend(f"CSP violation: {v}" for v in csp_violations(page))
    assert problems == []
    log = portal_log.getvalue()
    assert "/share/[redacted]/" in log  # the 410 and 404 were logged, without their tokens
    assert token not in log and token[:16] not in log
