"""The athlete profile: header, trends per activity in a date range, personal bests, latest changes."""

import gzip
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.sessions import stored_metrics
from tests.factories import make_athlete, make_jumps, make_session

pytestmark = pytest.mark.django_db
# A test that views, writes, then views again commits its writes on PostgreSQL, where the profile cache's
# stamp changes when a write commits (deferred triggers, migration 0014), as every request and sync does.
views_after_writes = pytest.mark.django_db(transaction=connection.vendor == "postgresql")


def chart(response, activity, key):
    html = response.content.decode()
    found = re.search(
        rf'<script id="chart-{activity}-{key}-data" type="application/json">(.*?)</script>', html
    )
    return json.loads(found.group(1))


@pytest.fixture
def anna(org_a):
    return make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")


def test_a_coach_sees_one_point_per_session_in_the_range_and_the_personal_best(
    client_for, chloe, org_a, anna
):
    _, pb, mid, latest = make_jumps(
        org_a, anna, [(200, [0.60]), (60, [0.40, 0.52]), (20, [0.45]), (2, [0.41, 0.44])]
    )

    response = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Anna Jumper" in html and "Vertical jump 4" in html
    data = chart(response, "jumping", "jump-height")
    # The default range is 90 days: the session of 200 days ago is not a point, but stays the personal best.
    assert data["urls"] == [f"/o/{org_a.slug}/sessions/{s.pk}/" for s in (pb, mid, latest)]
    assert data["best"] == [pytest.approx(52.0), pytest.approx(45.0), pytest.approx(44.0)]
    assert data["mean"] == [pytest.approx(46.0), pytest.approx(45.0), pytest.approx(42.5)]
    assert data["unit"] == "cm" and data["headline"] == "best"
    assert data["pb"] == []  # the all-time best (60 cm) is outside the range
    assert "Personal best 60.0 cm" in html and "(outside this range)" in html
    assert data["median"] == pytest.approx(48.5)  # of 44, 45, 52 and 60 cm: the whole organization
    # The same numbers as a table, newest first, with each date linking to its session.
    assert f'<a href="/o/{org_a.slug}/sessions/{latest.pk}/">' in html
    assert '<td data-label="Best">44.0</td><td data-label="Mean">42.5</td>' in html

    everything = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all")
    data = chart(everything, "jumping", "jump-height")
    assert len(data["t"]) == 4 and data["pb"] == [0]
    assert "60.0 (personal best)" in everything.content.decode()


def test_what_changed_since_the_previous_session_is_coloured_by_direction(client_for, chloe, org_a, anna):
    make_jumps(org_a, anna, [(9, [0.40]), (1, [0.44])])

    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/").content.decode()

    assert "Since the previous session" in html
    row = re.search(r'<tr class="change--better">\s*<th scope="row">Jump height</th>(.*?)</tr>', html, re.S)
    assert (
        row and "40.0 cm" in row.group(1) and "44.0 cm" in row.group(1) and "+4.0 cm (+10.0%)" in row.group(1)
    )


def test_the_range_is_kept_in_the_url(client_for, chloe, org_a, anna):
    sessions = make_jumps(org_a, anna, [(100, [0.4]), (50, [0.5]), (10, [0.45])])
    client = client_for(chloe)
    start = (timezone.localdate() - timedelta(days=60)).isoformat()
    end = (timezone.localdate() - timedelta(days=30)).isoformat()

    response = client.get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=custom&start={start}&end={end}")

    assert chart(response, "jumping", "jump-height")["urls"] == [
        f"/o/{org_a.slug}/sessions/{sessions[1].pk}/"
    ]
    assert f'value="{start}"' in response.content.decode()
    assert (
        len(
            chart(client.get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=30d"), "jumping", "jump-height")["t"]
        )
        == 1
    )
    backwards = client.get(f"/o/{org_a.slug}/athletes/{anna.pk}/?start={end}&end={start}")
    assert "The end date is before the start date." in backwards.content.decode()


def test_the_header_links_compare_to_the_two_latest_sessions(client_for, chloe, org_a, anna):
    _, before, latest = make_jumps(org_a, anna, [(30, [0.4]), (9, [0.40]), (1, [0.44])])

    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/").content.decode()

    assert f'href="/o/{org_a.slug}/compare/?s={latest.pk}&amp;s={before.pk}">Compare</a>' in html


def test_masses_follow_the_organizations_unit(client_for, chloe, org_a, anna):
    org_a.mass_unit = "lb"
    org_a.save()
    anna.weight = 60
    anna.save()
    make_session(
        org_a, athlete=anna, activity="weightlifting", metrics={"barbell_weight": 100, "max_power": 2000}
    )

    response = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all")

    assert chart(response, "weightlifting", "barbell-weight")["unit"] == "lb"
    assert "Personal best 220.5 lb" in response.content.decode()
    assert "132.3 lb" in response.content.decode()  # her body mass in the header


def test_an_athlete_without_sessions_has_a_plain_profile(client_for, chloe, org_a, anna):
    response = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/")
    assert response.status_code == 200 and "none yet" in response.content.decode()


def test_the_old_per_athlete_library_leads_to_the_profile(client_for, chloe, org_a, anna):
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/athlete/{anna.pk}/")
    assert response.status_code == 301 and response["Location"] == f"/o/{org_a.slug}/athletes/{anna.pk}/"


def test_another_organizations_athlete_is_not_found(client_for, bruno, org_a, anna):
    assert client_for(bruno).get(f"/o/{org_a.slug}/athletes/{anna.pk}/").status_code == 404


@views_after_writes
def test_the_query_count_does_not_grow_with_sessions(client_for, chloe, org_a, anna):
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all"
    make_jumps(org_a, anna, [(d, [0.4]) for d in (1, 2, 3)])
    for _ in range(2):
        make_session(org_a, athlete=anna, activity="running", metrics={"speed": [3.0], "cadence": [170]})
    client.get(url)  # the first request of a login also notes the member as seen
    cache.clear()  # counted as computed, not as kept by profile_cache (the writes below change its stamp)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    make_jumps(org_a, anna, [(d, [0.3 + d / 100]) for d in range(4, 61)])
    runs = [
        make_session(
            org_a,
            athlete=anna,
            activity="running",
            metrics={"speed": [3.1], "cadence": [171]},
            store_metrics=False,
        )
        for _ in range(20)
    ]
    stored_metrics.refresh(runs)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(chart(response, "jumping", "jump-height")["t"]) == 60  # a point per session, up to 60
    assert len(many) == len(few)


def test_the_page_ships_less_than_60_kb_of_script_and_style_gzipped(client_for, chloe, org_a, anna, settings):
    make_jumps(org_a, anna, [(3, [0.4])])
    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/").content.decode()
    assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
        r'<script src="([^"]+)"', html
    )
    assert any("uPlot" in a for a in assets) and any("profile-charts" in a for a in assets)
    total = 0
    for url in assets:
        path = finders.find(url.removeprefix(settings.STATIC_URL))
        assert path, url
        total += len(gzip.compress(Path(path).read_bytes(), 9))
    assert total < 60 * 1024, f"{total} bytes"


def weeks_of(sessions):
    """The sessions grouped by the Monday of their local day, oldest week first."""
    weeks = {}
    for s in sorted(sessions, key=lambda s: s.recorded_at):
        day = timezone.localtime(s.recorded_at).date()
        weeks.setdefault(day - timedelta(days=day.weekday()), []).append(s)
    return weeks


@pytest.fixture
def small_thresholds(monkeypatch):
    """Ranges of more than 10 sessions of an activity are drawn a bucket at a time, at most 20 buckets."""
    from coachportal.sessions import profile

    monkeypatch.setattr(profile, "SESSION_POINTS", 10)
    monkeypatch.setattr(profile, "MAX_BUCKETS", 20)


def test_a_large_range_is_drawn_a_week_at_a_time_with_the_personal_best_exact(
    client_for, chloe, org_a, anna, small_thresholds
):
    # Three jump sessions a week for twelve weeks; the best jump (70 cm) in the fourth week.
    plan = []
    for week in range(12):
        for k, day in enumerate((1, 3, 5)):
            heights = [0.40 + week / 100, 0.42 + k / 100]
            if week == 3 and k == 1:
                heights = [0.50, 0.70]
            plan.append((7 * (12 - week) - day, heights))
    sessions = make_jumps(org_a, anna, plan)
    best = sessions[3 * 3 + 1]

    response = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all")

    data = chart(response, "jumping", "jump-height")
    weeks = weeks_of(sessions)
    assert data["bucket"] == "week" and len(data["t"]) == len(weeks)
    for i, (monday, members) in enumerate(weeks.items()):
        count = f"{len(members)} session" + ("s" if len(members) != 1 else "")  # this week may hold one
        assert data["dates"][i] == f"Week of {monday.day} {monday:%b %Y} · {count}"
        assert data["best"][i] == pytest.approx(100 * max(max(s.metrics["jump_height"]) for s in members))
        means = [sum(s.metrics["jump_height"]) / len(s.metrics["jump_height"]) for s in members]
        assert data["mean"][i] == pytest.approx(100 * sum(means) / len(means), abs=0.01)  # 2 decimals sent
    # The personal best stays exact: its value, and a click on its week opens its session.
    [pb] = data["pb"]
    assert best in list(weeks.values())[pb] and data["pb_value"] == pytest.approx(70.0)
    assert data["urls"][pb] == f"/o/{org_a.slug}/sessions/{best.pk}/"
    # Any other week opens the library on that athlete, activity and week (the script adds the week's days;
    # the table's link to the week is the same).
    monday = list(weeks)[-1]
    assert data["urls"][-1] == "" and data["from"][-1] == monday.isoformat()
    assert data["library"] == f"/o/{org_a.slug}/sessions/?athlete={anna.pk}&activity=jumping"
    html = response.content.decode()
    assert (
        f'<a href="/o/{org_a.slug}/sessions/?athlete={anna.pk}&amp;activity=jumping'
        f'&amp;date_from={monday.isoformat()}&amp;date_to={(monday + timedelta(days=6)).isoformat()}">Week of'
    ) in html
    # The rolling average is of every session of the last five weeks.
    last_five = [s for members in list(weeks.values())[-5:] for s in members]
    assert data["rolling"] == "5-week average"
    assert data["avg"][-1] == pytest.approx(
        100 * sum(max(s.metrics["jump_height"]) for s in last_five) / len(last_five), abs=0.01
    )
    assert "weekly best and mean of 36 sessions, a point per week" in html
    assert "(personal best 70.0 on" in html


def test_the_table_under_a_chart_lists_the_latest_points_and_leads_to_all_sessions(
    client_for, chloe, org_a, anna
):
    make_jumps(org_a, anna, [(d, [0.4 + d / 1000]) for d in range(1, 30)])  # 29 sessions in the last 30 days

    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=30d").content.decode()

    table = re.search(r"<caption[^>]*>Jump height per session.*?</tbody>", html, re.S).group(0)
    assert table.count("<tr>") == 10 + 1  # the header and the ten newest sessions
    assert "the latest 10 of 29" in table
    start = (timezone.localdate() - timedelta(days=29)).isoformat()
    assert (
        f'href="/o/{org_a.slug}/sessions/?athlete={anna.pk}&amp;activity=jumping&amp;date_from={start}">'
        "All 29 sessions of this range in the library</a>"
    ) in html


@views_after_writes
def test_the_query_count_stays_flat_when_points_become_weeks(
    client_for, chloe, org_a, anna, small_thresholds
):
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all"
    make_jumps(org_a, anna, [(d, [0.4]) for d in (1, 2, 3)])
    make_session(org_a, athlete=anna, activity="running", metrics={"speed": [3.0], "cadence": [170]})
    client.get(url)  # the first request of a login also notes the member as seen
    cache.clear()  # counted as computed, not as kept by profile_cache (the writes below change its stamp)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    assert chart(small, "jumping", "jump-height")["bucket"] is None

    make_jumps(org_a, anna, [(d, [0.3 + d / 1000]) for d in range(4, 120, 2)])
    with CaptureQueriesContext(connection) as many:
        large = client.get(url)

    assert chart(large, "jumping", "jump-height")["bucket"] == "week"
    assert chart(large, "running", "speed")["bucket"] is None
    assert len(many) == len(few)


@views_after_writes
def test_the_organization_median_is_stored_as_sessions_arrive_and_read_without_walking_values(
    client_for, chloe, org_a, anna
):
    others = make_athlete(org_a, "Bo Other")
    make_jumps(org_a, others, [(5, [0.30]), (4, [0.50])])
    make_jumps(org_a, anna, [(3, [0.40])])
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/"
    assert chart(client.get(url), "jumping", "jump-height")["median"] == pytest.approx(40.0)

    make_jumps(org_a, others, [(2, [0.60])])  # the next sync brings a session: 30, 40, 50, 60 cm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert chart(response, "jumping", "jump-height")["median"] == pytest.approx(45.0)
    walks = [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    assert walks == []
