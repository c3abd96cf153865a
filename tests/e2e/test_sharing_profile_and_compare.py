"""A coach shares an athlete's progress and a comparison: someone without an account opens each link in a
fresh browser and sees the charts (or the videos in sync) and nothing else of the organization; after the
coach revokes a link it answers 410. The coach also downloads the athlete's PDF from the profile."""

import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachportal.notes.models import Note
from tests.e2e.looking import ARTIFACTS, look
from tests.e2e.test_notes_and_sharing import csp_violations, log_in, watch
from tests.e2e.test_security import wait_until
from tests.factories import make_athlete, make_session
from tests.integration.conftest import mirrored  # noqa: F401 (a fixture: a synced sandbox session)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    """A context of its own under the real CSP."""
    context = browser.new_context(bypass_csp=False, accept_downloads=True)
    yield context.new_page()
    context.close()


def create_link(page, note: str) -> str:
    page.get_by_label("Expires after").select_option("7")
    page.get_by_label("Note for the recipient (optional)").fill(note)
    page.get_by_role("button", name="Create link").click()
    return page.locator("[data-share-url]").input_value()


def revoke_the_link(page, base, org):
    page.goto(f"{base}/o/{org.slug}/shares/")
    expect(page.locator(".share-views").first).to_contain_text("1")
    page.get_by_role("button", name=re.compile("Revoke")).first.click()
    expect(page.locator(".message--success")).to_contain_text("Link revoked")


def nothing_else(public) -> None:
    """No link, form or name of the organization's pages on a shared page."""
    assert public.locator("a").count() == 0
    assert public.locator("form").count() == 0
    assert "/o/" not in public.content()


def test_an_athlete_s_progress_shared_shows_the_charts_and_nothing_else(
    live_server, page, browser, org_a, chloe, tmp_path
):
    anna = make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")
    now = timezone.now()
    for n, heights in enumerate([[0.40, 0.42], [0.44], [0.43, 0.47], [0.45], [0.50, 0.49], [0.48]]):
        session = make_session(
            org_a, athlete=anna, activity="jumping", title=f"Jumps {n + 1}",
            recorded_at=now - timedelta(days=60 - n * 10),
            metrics={"jump_height": heights, "contact_time": [0.26 - n * 0.01] * len(heights),
                     "rsi": [1.1 + n / 10] * len(heights)},
        )  # fmt: skip
    Note.objects.create(
        organization=org_a, session=session, author=chloe, at_seconds=1.2, text="Drive the knee up",
        shapes=[{"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 90.0}],
    )  # fmt: skip
    base = live_server.url
    problems: list[str] = []
    watch(page, problems)
    log_in(page, base, chloe.email)
    page.goto(f"{base}/o/{org_a.slug}/athletes/{anna.pk}/?range=90d")

    # The PDF of the same range, from the profile's actions: it opens in a PDF reader.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf = tmp_path / "anna.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename == "anna-jumper.pdf"
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "athlete-report-page")]
        )
        assert done.returncode == 0

    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share Anna Jumper's progress")).to_be_visible()
    share_url = create_link(page, "Anna: your last three months")

    stranger = browser.new_context(bypass_csp=False)  # a fresh browser: no cookies, no account
    try:
        public = stranger.new_page()
        watch(public, problems)
        response = public.goto(share_url)
        assert response.status == 200 and response.headers["referrer-policy"] == "no-referrer"
        assert "no-store" in response.headers["cache-control"]
        assert response.headers["x-robots-tag"].startswith("noindex")
        expect(public.get_by_role("heading", name="Anna Jumper")).to_be_visible()
        expect(public.get_by_text("Anna: your last three months")).to_be_visible()
        # Each key metric's chart is drawn (uPlot, under the CSP), with its numbers as a table.
        wait_until(public, "document.querySelectorAll('.trend-chart .uplot canvas').length === 3")
        expect(public.locator(".trend-chart figcaption").first).to_contain_text("Jump height")
        expect(public.locator(".pb-table")).to_contain_text("50.0 cm")
        expect(public.locator(".share-notes")).to_contain_text("Drive the knee up")
        nothing_else(public)
        problems.extend(f"CSP violation on the athlete share page: {v}" for v in csp_violations(public))
        look(public, "share-athlete", overflow=True)

        revoke_the_link(page, base, org_a)
        assert public.goto(share_url).status == 410
        expect(public.get_by_role("heading", name="This link is no longer available")).to_be_visible()
    finally:
        stranger.close()
    assert problems == []


VIDEOS = "document.querySelectorAll('[data-compare-video] video')"


def test_a_comparison_shared_plays_the_videos_in_sync_and_shows_the_metrics(
    live_server,
    page,
    browser,
    org_a,
    chloe,
    mirrored,  # noqa: F811
):
    earlier = make_session(
        org_a, athlete=mirrored.athlete, title="Earlier tempo",
        recorded_at=mirrored.recorded_at - timedelta(days=7), analyzed_video_url=mirrored.analyzed_video_url,
        metrics={"speed": [2.8, 3.0], "cadence": [168, 170]},
    )  # fmt: skip
    Note.objects.create(
        organization=org_a, session=mirrored, author=chloe, at_seconds=1.2, text="Arms cross the body",
        shapes=[{"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}],
    )  # fmt: skip
    base = live_server.url
    problems: list[str] = []
    watch(page, problems)
    log_in(page, base, chloe.email)
    page.goto(f"{base}/o/{org_a.slug}/compare/?s={earlier.pk}&s={mirrored.pk}&o=0&o=0.2")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", name="Share this comparison")).to_be_visible()
    share_url = create_link(page, "Before and after the arm drill")

    stranger = browser.new_context(bypass_csp=False)
    try:
        public = stranger.new_page()
        watch(public, problems)
        assert public.goto(share_url).status == 200
        expect(public.get_by_role("heading", name="Comparison of 2 sessions")).to_be_visible()
        wait_until(public, f"Array.from({VIDEOS}).every((v) => v.readyState >= 1 && v.videoWidth > 0)")
        public.get_by_role("button", name="Play all").click()
        wait_until(public, f"Array.from({VIDEOS}).every((v) => !v.paused && v.currentTime > 0.3)", timeout=30)
        public.get_by_role("button", name="Pause all").click()
        wait_until(public, f"Array.from({VIDEOS}).every((v) => v.paused)")
        # Played as one, the second video 0.2 s ahead as the link's offset says.
        gap = public.evaluate(f"{VIDEOS}[1].currentTime - {VIDEOS}[0].currentTime")
        assert gap == pytest.approx(0.2, abs=0.15)
        expect(public.locator(".compare-table")).to_contain_text("Speed")
        expect(public.locator(".compare-table")).to_contain_text("m/s")
        expect(public.locator(".share-video-notes")).to_contain_text("Arms cross the body")
        expect(public.locator(".share-video-notes svg[aria-label='Drawing: arrow'] path")).to_have_count(1)
        nothing_else(public)
        problems.extend(f"CSP violation on the comparison share page: {v}" for v in csp_violations(public))
        look(public, "share-comparison", overflow=True)

        revoke_the_link(page, base, org_a)
        assert public.goto(share_url).status == 410
    finally:
        stranger.close()
    assert problems == []
