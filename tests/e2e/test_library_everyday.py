"""The library on a laptop and a phone: it fits, results come first on the phone, presets and typed dates
filter with one request, an empty result says how to widen, and ticked rows are assigned or deleted."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coachportal.organizations.models import AuditEvent
from coachportal.sessions import sync, thumbnails
from coachportal.sessions.models import Session
from tests.factories import connect_with_finished_sessions, make_athlete, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-42"
APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"


def log_in(page, live_server, user):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)


def no_sideways_scroll(page) -> None:
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,"
        " table: (document.querySelector('.library-table') || {}).scrollWidth || 0,"
        " main: document.querySelector('main').clientWidth})"
    )
    assert widths["doc"] <= widths["view"], widths
    assert widths["table"] <= widths["main"], widths


@pytest.fixture
def library(org_a):
    """A busy library: 30 recent sessions of roster athletes and of people not on the roster."""
    anna = make_athlete(org_a, "Anna Lindqvist-Johansson", aikynetix_user_id="u-anna")
    ben = make_athlete(org_a, "Ben Okonkwo", aikynetix_user_id="u-ben")
    now = timezone.now()
    for n in range(30):
        kind = n % 3
        make_session(
            org_a,
            title=f"{['Tempo run over the long hill loop', 'Box jumps', 'Snatch'][kind]} {n}",
            activity=["running", "jumping", "weightlifting"][kind],
            metrics=[
                {"speed": [3.0, 3.2], "cadence": [170, 172]},
                {"jump_height": [0.41, 0.44], "rsi": [1.2, 1.3]},
                {"max_bar_speed": 1.8, "max_power": 2100.0},
            ][kind],
            athlete=[anna, ben, None][kind],
            provider_user_id=["u-anna", "u-ben", f"u-guest-{n}"][kind],
            provider_user_name=["Anna", "Ben", f"Guest {n} from the visiting squad"][kind],
            recorded_at=now - timedelta(days=n * 2, hours=1),
            status="processing" if n == 4 else "ready",
        )
    return {"anna": anna, "ben": ben}


def test_the_library_fits_a_laptop_and_a_phone_with_results_first(
    live_server, page, screenshot, org_a, olivia, library
):
    log_in(page, live_server, olivia)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/")
    expect(page.locator("#results tbody tr")).to_have_count(25)
    expect(page.get_by_label("Activity")).to_be_visible()  # the filters show on a laptop
    no_sideways_scroll(page)
    screenshot("library16-data")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    no_sideways_scroll(page)
    summary = page.locator(".library-filters-box > summary")
    expect(summary).to_have_text("Filters")
    expect(page.get_by_label("Activity")).to_be_hidden()
    first_row = page.locator("#results tbody tr").first
    assert first_row.bounding_box()["y"] < 844  # a result shows on the first screen
    expect(first_row).to_contain_text("Anna Lindqvist-Johansson")
    page.screenshot(path=str(screenshot_dir() / "library16-data-phone-first-screen.png"))

    summary.click()
    expect(page.get_by_label("Activity")).to_be_visible()
    page.get_by_label("Activity").select_option(label="Vertical jump")
    expect(page).to_have_url(re.compile(r"activity=jumping"))
    expect(summary).to_have_text("Filters (1 active)")
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir() / "library16-filters-open-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(screenshot_dir() / "library16-filters-open-desktop.png"), full_page=True)


def screenshot_dir():
    from tests.e2e.looking import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def test_presets_and_a_typed_date_send_one_request_each(live_server, page, org_a, chloe, library):
    log_in(page, live_server, chloe)
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/")
    requests = []
    page.on(
        "request",
        lambda r: requests.append(r.url) if r.headers.get("hx-request") and "/sessions/" in r.url else None,
    )

    page.get_by_role("link", name="Last 30 days").click()
    expect(page).to_have_url(re.compile(r"date_from=\d{4}-\d\d-\d\d&date_to=\d{4}-\d\d-\d\d"))
    start = timezone.localdate() - timedelta(days=29)
    expect(page.get_by_label("From")).to_have_value(f"{start.day} {start:%b %Y}")
    expect(page.get_by_role("link", name="Last 30 days")).to_have_attribute("aria-current", "true")
    expect(page.locator("#results tbody tr")).to_have_count(15)  # one every two days

    page.get_by_role("link", name="Clear").click()
    expect(page.locator("#results tbody tr")).to_have_count(25)
    requests.clear()

    field = page.get_by_label("From")
    field.press_sequentially("2026", delay=80)
    field.press("Tab")
    page.wait_for_timeout(1000)
    assert requests == []  # a half-typed date sends nothing, and nothing flashes "No sessions match"
    expect(page.get_by_text("No sessions match")).to_have_count(0)

    field.fill("")
    day = timezone.localdate() - timedelta(days=10)
    field.press_sequentially(f"{day.day} {day:%b %Y}", delay=40)
    field.press("Tab")
    expect(page).to_have_url(re.compile(rf"date_from={day.isoformat()}"))
    page.wait_for_timeout(800)
    assert len(requests) == 1, requests
    # Six sessions, or five in the hour after midnight (each was recorded an hour before a whole day back).
    since = [
        s
        for s in Session.objects.filter(organization=org_a)
        if timezone.localtime(s.recorded_at).date() >= day
    ]
    expect(page.locator("#results tbody tr")).to_have_count(len(since))


def test_an_empty_result_says_why_and_hides_export(live_server, page, screenshot, org_a, chloe, library):
    log_in(page, live_server, chloe)
    anna = library["anna"]
    page.goto(
        f"{live_server.url}/o/{org_a.slug}/sessions/?athlete={anna.pk}&date_from=2020-01-01&date_to=2020-01-31"
    )
    expect(page.get_by_text("No sessions match these filters.")).to_be_visible()
    latest = timezone.localtime(Session.objects.filter(athlete=anna).latest("recorded_at").recorded_at).date()
    expect(
        page.get_by_text(
            f"Anna Lindqvist-Johansson{APOSTROPHE}s latest session is {latest.day} {latest:%b %Y}."
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV")).to_have_count(0)
    no_sideways_scroll(page)
    screenshot("library16-empty")
    page.get_by_role("link", name=re.compile(r"^Show from ")).click()
    expect(page.locator("#results tbody tr").first).to_contain_text("Anna")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()


def test_an_admin_assigns_ticked_sessions_to_an_athlete(live_server, page, org_a, adam, library):
    log_in(page, live_server, adam)
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/?q=Snatch")
    guests = page.locator("#results tbody tr")
    expect(guests.first).to_contain_text("(unassigned athlete)")
    assign = page.get_by_role("button", name="Assign to athlete…")
    expect(assign).to_be_disabled()  # nothing ticked yet
    page.get_by_label("Select all sessions on this page").check()
    expect(page.locator("#selection .bulk-count")).to_have_text(f"{guests.count()} ticked:")
    page.get_by_label("Select all sessions on this page").uncheck()
    expect(assign).to_be_disabled()
    guests.nth(0).get_by_role("checkbox").check()
    guests.nth(1).get_by_role("checkbox").check()
    page.get_by_role("button", name="Assign to athlete…").click()
    expect(page.get_by_role("heading", name="Assign 2 sessions to an athlete?")).to_be_visible()
    page.get_by_label("Athlete").select_option(label="Ben Okonkwo")
    page.get_by_role("button", name="Assign to this athlete").click()
    expect(page.get_by_text("Assigned 2 sessions to Ben Okonkwo.")).to_be_visible()
    assert (
        Session.objects.filter(organization=org_a, athlete=library["ben"], title__startswith="Snatch").count()
        == 2
    )
    assert AuditEvent.objects.filter(verb="session.assigned", actor=adam).count() == 2


def test_an_owner_sees_poster_frames_and_deletes_ticked_sessions_after_confirming(
    live_server, page, screenshot, org_a, olivia, aikynetix_sandbox, aikynetix_video, settings
):
    settings.AIKYNETIX_BASE_URL = aikynetix_sandbox.base_url
    holder = connect_with_finished_sessions(
        org_a, aikynetix_sandbox, aikynetix_video, ["Keep me", "Drop one", "Drop two"]
    )
    sync.sync_organization(org_a)
    assert thumbnails.make_thumbnails.call(org_a.pk) == "done"

    log_in(page, live_server, olivia)
    page.goto(f"{live_server.url}/o/{org_a.slug}/sessions/?q=Drop")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    # Each row shows the poster frame of its analysed video, loaded from the portal.
    expect(rows.locator("img.thumb")).to_have_count(2)
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.thumb')].every(i => i.complete && i.naturalWidth > 0)"
    )
    screenshot("library16-thumbnails")
    # On a phone each card shows the same frame beside its title, and the page still fits.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    boxes = [rows.nth(n).locator("img.thumb").bounding_box() for n in range(2)]
    assert all(box and box["width"] >= 48 and box["height"] >= 27 for box in boxes), boxes
    title = rows.nth(0).locator(".library-title").bounding_box()
    assert boxes[0]["x"] + boxes[0]["width"] <= title["x"] and boxes[0]["y"] < title["y"] + title["height"]
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    for n in range(2):
        rows.nth(n).get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_role("heading", name="Delete 2 sessions?")).to_be_visible()
    assert Session.objects.filter(organization=org_a, status="deleted").count() == 0
    page.get_by_role("button", name="Delete 2 sessions").click()
    expect(page.get_by_role("heading", name="Deleted 2 sessions")).to_be_visible()
    expect(page.get_by_text("Drop one · ")).to_contain_text("deleted.")
    with aikynetix_sandbox.client(holder.key) as client:
        assert [s.title for s in client.list_sessions()] == ["Keep me"]
    page.get_by_role("link", name="Back to the sessions").click()
    expect(page.locator("#results tbody tr")).to_have_count(1)
