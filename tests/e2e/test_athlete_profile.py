"""A coach opens an athlete with months of jumps, reads the trend and opens the personal best's session."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.looking import log_in
from tests.factories import PASSWORD, make_athlete, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (days ago, jump heights in metres): one session every few weeks over seven months; the best is 57 cm.
JUMPS = [
    (210, [0.41, 0.44]),
    (180, [0.43]),
    (150, [0.45, 0.47, 0.46]),
    (120, [0.44]),
    (80, [0.49, 0.57]),
    (50, [0.50, 0.52]),
    (30, [0.48]),
    (12, [0.51, 0.53]),
    (3, [0.50, 0.49, 0.54]),
]
CHART = "[data-chart='chart-jumping-jump-height-data']"


def serious_axe_violations(page) -> list[str]:
    results = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    serious = [v for v in results if v.get("impact") in ("serious", "critical")]
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in serious]


def test_a_coach_follows_an_athletes_trend_to_the_personal_best(live_server, page, screenshot, org_a, chloe):
    anna = make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")
    now = timezone.now()
    sessions = {
        days: make_session(
            org_a,
            athlete=anna,
            activity="jumping",
            title=f"Jumps {days} days ago",
            recorded_at=now - timedelta(days=days),
            metrics={
                "jump_height": heights,
                "rsi": [h / 0.7 for h in heights],
                "contact_time": [0.7] * len(heights),
            },
        )
        for days, heights in JUMPS
    }
    best = sessions[80]

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(chloe.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"{live_server.url}/o/{org_a.slug}/athletes/{anna.pk}/")
    expect(page.get_by_role("heading", name="Anna Jumper")).to_be_visible()

    # The default range is 90 days: one point per session in it, and the personal best ringed.
    chart = page.locator(CHART)
    expect(chart.locator("canvas")).to_be_visible()
    in_90_days = sum(1 for days, _ in JUMPS if days < 90)
    assert page.evaluate(f"document.querySelector({CHART!r}).chart.data[0].length") == in_90_days
    page.get_by_role("link", name="All", exact=True).click()
    expect(page).to_have_url(re.compile(r"range=all"))
    expect(chart.locator("canvas")).to_be_visible()
    series = page.evaluate(
        f"""() => {{
            const u = document.querySelector({CHART!r}).chart;
            return u.series.map((s, i) => [s.label, u.data[i]]);
        }}"""
    )
    labels = [label for label, _ in series]
    assert len(series[0][1]) == len(JUMPS)
    marked = dict(series)["Personal best"]
    pb_index = [i for i, v in enumerate(marked) if v is not None]
    assert pb_index == [[days for days, _ in JUMPS].index(80)]  # JUMPS are oldest first, as the points
    assert marked[pb_index[0]] == pytest.approx(57.0)
    assert {"Best", "Mean", "5-session average", "Organization median"} <= set(labels)
    expect(page.get_by_text("Personal best 57.0 cm on")).to_be_visible()

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        # No sideways scroll once the charts have followed the new width.
        page.wait_for_function("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        assert serious_axe_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot("athlete-profile")

    # Hovering the personal best shows its date and value; clicking it opens that session.
    chart.scroll_into_view_if_needed()
    point = page.evaluate(
        f"""(i) => {{
            const u = document.querySelector({CHART!r}).chart;
            const rect = u.over.getBoundingClientRect();
            const y = u.series.findIndex((s) => s.label === "Personal best");
            return [rect.left + u.valToPos(u.data[0][i], "x"), rect.top + u.valToPos(u.data[y][i], "y")];
        }}""",
        pb_index[0],
    )
    page.mouse.move(point[0], point[1])
    legend = page.locator(f"{CHART} .u-legend")
    expect(legend).to_contain_text("57.0 cm")
    local = timezone.localtime(best.recorded_at)
    expect(legend).to_contain_text(f"{local.day} {local:%b %Y}")
    page.mouse.click(point[0], point[1])
    expect(page).to_have_url(f"{live_server.url}/o/{org_a.slug}/sessions/{best.pk}/")
    expect(page.get_by_role("heading", name="Jumps 80 days ago")).to_be_visible()


def test_an_athletes_only_session_is_charted_around_its_day(live_server, page, screenshot, org_a, chloe):
    ada = make_athlete(org_a, "Ada Once", aikynetix_user_id="u-ada")
    make_session(
        org_a, athlete=ada, activity="jumping", recorded_at=timezone.now() - timedelta(days=20),
        metrics={"jump_height": [0.46], "rsi": [0.64], "contact_time": [0.73]},
    )  # fmt: skip
    log_in(page, live_server.url, chloe.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/athletes/{ada.pk}/?range=all")
    expect(page.locator(CHART).locator("canvas")).to_be_visible()
    low, point, high = page.evaluate(
        f"""() => {{
            const u = document.querySelector({CHART!r}).chart;
            return [u.scales.x.min, u.data[0][0], u.scales.x.max];
        }}"""
    )
    # A day either side, not years of empty axis after it.
    assert (point - low, high - point) == (86400, 86400)
    screenshot("athlete-profile-one-session")


def test_a_coach_reads_five_years_of_jumps_a_month_at_a_time(live_server, page, screenshot, org_a, chloe):
    from coachportal.sessions import stored_metrics
    from coachportal.sessions.metrics import key_metrics
    from coachportal.sessions.models import Session

    anna = make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")
    now = timezone.now()
    rows = []
    for i in range(2000):  # about one jump session a day for five and a half years; the best (66 cm) once
        heights = [0.66, 0.50] if i == 1234 else [0.40 + (i % 50) / 500, 0.38]
        metrics = {"jump_height": heights, "rsi": [h / 0.7 for h in heights], "contact_time": [0.7, 0.72]}
        rows.append(
            Session(
                organization=org_a,
                athlete=anna,
                external_id=f"many-{i}",
                title=f"Jumps {i}",
                activity="jumping",
                status="ready",
                provider_user_id="u-anna",
                recorded_at=now - timedelta(days=2000 - i),
                metrics=metrics,
                key_metrics=key_metrics("jumping", metrics),
            )
        )
    Session.objects.bulk_create(rows)
    stored_metrics.refresh_query(Session.objects.for_org(org_a))
    best = Session.objects.get(external_id="many-1234")

    log_in(page, live_server.url, chloe.email)
    page.goto(f"{live_server.url}/o/{org_a.slug}/athletes/{anna.pk}/?range=all")

    # A point per month, labelled so; the personal best ringed at its exact value.
    chart = page.locator(CHART)
    expect(chart.locator("canvas")).to_be_visible()
    series = page.evaluate(
        f"""() => {{
            const u = document.querySelector({CHART!r}).chart;
            return u.series.map((s, i) => [s.label, u.data[i]]);
        }}"""
    )
    labels = [label for label, _ in series]
    assert labels[0] == "Month" and "5-month average" in labels
    assert 60 <= len(series[0][1]) <= 68
    marked = [v for v in dict(series)["Personal best"] if v is not None]
    assert marked == [pytest.approx(66.0)]
    expect(page.locator("figure", has=chart).locator("figcaption")).to_contain_text(
        "(cm; monthly best and mean of 2000 sessions, a point per month)"
    )
    screenshot("athlete-profile-five-years")

    # The table lists the latest months; the library has every session of the range.
    table = page.locator("figure", has=chart).locator("details table")
    expect(table.locator("tbody tr")).to_have_count(10)
    # A month's row says how many sessions it holds ("· 1 session" early in a month, "· 30 sessions" later).
    expect(table.locator("tbody tr").first.locator("th")).to_contain_text(re.compile(r" · \d+ sessions?\b"))

    # Clicking the month that holds the personal best opens that session.
    chart.scroll_into_view_if_needed()
    point = page.evaluate(
        f"""() => {{
            const u = document.querySelector({CHART!r}).chart;
            const rect = u.over.getBoundingClientRect();
            const y = u.series.findIndex((s) => s.label === "Personal best");
            const i = u.data[y].findIndex((v) => v !== null);
            return [rect.left + u.valToPos(u.data[0][i], "x"), rect.top + u.valToPos(u.data[y][i], "y")];
        }}"""
    )
    page.mouse.move(point[0], point[1])
    expect(page.locator(f"{CHART} .u-legend")).to_contain_text("66.0 cm")
    page.mouse.click(point[0], point[1])
    expect(page).to_have_url(f"{live_server.url}/o/{org_a.slug}/sessions/{best.pk}/")
