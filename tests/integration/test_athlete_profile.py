"""The athlete profile: header, trends per activity in a date range, personal bests, latest changes."""

import gzip
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db


def jumps(org, athlete, heights_by_days_ago):
    """A jump session per (days ago, heights in metres)."""
    now = timezone.now()
    return [
        make_session(
            org,
            athlete=athlete,
            activity="jumping",
            recorded_at=now - timedelta(days=days),
            metrics={
                "jump_height": heights,
                "rsi": [0.5] * len(heights),
                "contact_time": [0.25] * len(heights),
            },
        )
        for days, heights in heights_by_days_ago
    ]


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
    _, pb, mid, latest = jumps(
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
    jumps(org_a, anna, [(9, [0.40]), (1, [0.44])])

    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{anna.pk}/").content.decode()

    assert "Since the previous session" in html
    row = re.search(r'<tr class="change--better">\s*<th scope="row">Jump height</th>(.*?)</tr>', html, re.S)
    assert (
        row and "40.0 cm" in row.group(1) and "44.0 cm" in row.group(1) and "+4.0 cm (+10.0%)" in row.group(1)
    )


def test_the_range_is_kept_in_the_url(client_for, chloe, org_a, anna):
    sessions = jumps(org_a, anna, [(100, [0.4]), (50, [0.5]), (10, [0.45])])
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
    _, before, latest = jumps(org_a, anna, [(30, [0.4]), (9, [0.40]), (1, [0.44])])

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


def test_the_query_count_does_not_grow_with_sessions(client_for, chloe, org_a, anna):
    client = client_for(chloe)
    url = f"/o/{org_a.slug}/athletes/{anna.pk}/?range=all"
    jumps(org_a, anna, [(d, [0.4]) for d in (1, 2, 3)])
    for _ in range(2):
        make_session(org_a, athlete=anna, activity="running", metrics={"speed": [3.0], "cadence": [170]})
    client.get(url)  # warm the medians cache and the per-request caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    jumps(org_a, anna, [(d, [0.3 + d / 100]) for d in range(4, 64)])
    for _ in range(20):
        make_session(org_a, athlete=anna, activity="running", metrics={"speed": [3.1], "cadence": [171]})
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(chart(response, "jumping", "jump-height")["t"]) == 63
    assert len(many) == len(few)


def test_the_page_ships_less_than_60_kb_of_script_and_style_gzipped(client_for, chloe, org_a, anna, settings):
    jumps(org_a, anna, [(3, [0.4])])
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
