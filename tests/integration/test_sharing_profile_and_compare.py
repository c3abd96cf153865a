"""Share links to an athlete's progress (the profile over the range the coach chose) and to a comparison (its
sessions and offsets): a stranger sees that and nothing else of the organization; the links are listed,
counted and revoked with the session links; a deleted object answers 410; another organization's ids 404."""

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from coachportal.notes.models import Note
from coachportal.sessions.sync import Mirror
from coachportal.sharing.models import ShareLink
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(org_a, chloe):
    """An athlete with three jump sessions in the last 90 days, one older, and a note with a drawing."""
    athlete = make_athlete(org_a, "Anna Jumper", aikynetix_user_id="u-anna")
    now = timezone.now()
    sessions = [
        make_session(
            org_a,
            athlete=athlete,
            activity="jumping",
            title=title,
            recorded_at=now - timedelta(days=days),
            metrics={"jump_height": heights, "contact_time": [0.25] * len(heights)},
        )
        for title, days, heights in [
            ("Old jumps", 200, [0.61]),
            ("Jumps A", 60, [0.40, 0.52]),
            ("Jumps B", 20, [0.45]),
            ("Jumps C", 2, [0.41, 0.44]),
        ]
    ]
    Note.objects.create(
        organization=org_a, session=sessions[2], author=chloe, at_seconds=1.2, text="Land softer",
        shapes=[{"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}],
    )  # fmt: skip
    athlete.jumps = sessions
    return athlete


def created_path(response) -> str:
    assert response.status_code == 200, response.content.decode()[:500]
    assert "no-store" in response["Cache-Control"]
    return re.search(r'value="http://testserver(/share/[^"]+/)"', response.content.decode()).group(1)


def chart_json(html: str, key: str) -> dict:
    found = re.search(rf'<script id="chart-jumping-{key}-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_a_coach_shares_an_athlete_s_progress_and_a_stranger_sees_only_that(client_for, chloe, org_a, anna):
    coach = client_for(chloe)
    profile = coach.get(f"/o/{org_a.slug}/athletes/{anna.pk}/?range=90d").content.decode()
    assert f'href="/o/{org_a.slug}/shares/athlete/{anna.pk}/new/?range=90d"' in profile
    assert f'href="/o/{org_a.slug}/reports/athlete/{anna.pk}.pdf?range=90d"' in profile

    url = f"/o/{org_a.slug}/shares/athlete/{anna.pk}/new/?range=90d"
    form = unescape(coach.get(url).content.decode())
    assert "Share Anna Jumper's progress" in form and "trend charts and personal bests" in form
    path = created_path(coach.post(url, {"days": "14", "note": "Your last three months"}))
    link = ShareLink.objects.get()
    today = timezone.localdate()
    assert (link.kind, link.object_id) == ("athlete", anna.pk)
    assert link.query == f"start={today - timedelta(days=89)}&end={today}"  # the range, fixed to its dates

    response = Client().get(path)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex") and response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Anna Jumper" in html and "Your last three months" in html and "Riverside Athletics" in html
    assert "uPlot.iife.min.js" in html and 'data-chart="chart-jumping-jump-height-data"' in html
    data = chart_json(html, "jump-height")
    assert data["best"] == [52.0, 45.0, 44.0]  # the range's three sessions, not the older one
    assert data["median"] is None and data["urls"] == ["", "", ""]  # no org median, no links into the portal
    # The same numbers as a table, and the range's own best (the 61 cm of 200 days ago is outside it).
    assert '<td data-label="Best">52.0 (best in range)</td>' in html
    assert "Best in this range 52.0 cm" in html and "61.0" not in html and "Old jumps" not in html
    assert "Land softer" in html and "Drawing: arrow" in html
    # The drawing itself, as a still picture of its shapes (no video player on this page).
    assert '<svg class="note-picture" viewBox="0 0 177.8 100" role="img" aria-label="Drawing: arrow">' in html
    assert '<path d="M35.6,20.0L71.1,50.0' in html
    assert "/o/" not in html and "Log in" not in html and "csrfmiddlewaretoken" not in html
    assert "Chloe" not in html and "Organization median" not in html
    assert '<script src="' in html and "<script>" not in html  # no inline script (CSP)

    # A session recorded after the link was made is not shown: the range stays the one that was shared.
    make_session(org_a, athlete=anna, activity="jumping", title="Tomorrow", metrics={"jump_height": [0.7]},
                 recorded_at=timezone.now() + timedelta(days=1))  # fmt: skip
    assert "70.0" not in Client().get(path).content.decode()
    link.refresh_from_db()
    assert link.views == 2


def test_a_coach_shares_a_comparison_with_its_offsets(client_for, chloe, org_a, anna):
    coach = client_for(chloe)
    a, b = anna.jumps[1], anna.jumps[3]
    compare = coach.get(f"/o/{org_a.slug}/compare/?s={a.pk}&s={b.pk}&o=0&o=0.4").content.decode()
    assert f'formaction="/o/{org_a.slug}/shares/comparison/new/"' in compare
    assert f'formaction="/o/{org_a.slug}/reports/comparison.pdf"' in compare

    url = f"/o/{org_a.slug}/shares/comparison/new/?s={a.pk}&s={b.pk}&o=0&o=0.4"
    assert "Share this comparison" in coach.get(url).content.decode()
    path = created_path(coach.post(url, {"days": "3"}))
    link = ShareLink.objects.get()
    assert (link.kind, link.object_ids, link.query) == (
        "comparison",
        [a.pk, b.pk],
        f"s={a.pk}&s={b.pk}&o=0&o=0.4",
    )

    html = Client().get(path).content.decode()
    assert "Comparison of 2 sessions" in html and "Jumps A" in html and "Jumps C" in html
    assert (
        html.count("data-compare-video") == 2 and 'data-offset="0.4"' in html and "compare-player.js" in html
    )
    assert "Jump height" in html and "52.0 cm" in html and "44.0 cm" in html
    assert "-8.0 cm (-15.4%)" in html and "worse" in html  # the change against the base, from the catalogue
    assert "/o/" not in html and "Jumps B" not in html

    list_page = coach.get(f"/o/{org_a.slug}/shares/").content.decode()
    assert "Comparison:" in list_page and "Jumps A vs Jumps C" in list_page
    assert f'href="/o/{org_a.slug}/compare/?s={a.pk}&amp;s={b.pk}&amp;o=0&amp;o=0.4"' in list_page


def test_links_to_a_deleted_athlete_or_session_answer_410_and_revoked_ones_too(
    client_for, chloe, org_a, anna
):
    coach = client_for(chloe)
    a, b = anna.jumps[1], anna.jumps[2]
    athlete_path = created_path(coach.post(f"/o/{org_a.slug}/shares/athlete/{anna.pk}/new/", {"days": "1"}))
    compare_path = created_path(coach.post(f"/o/{org_a.slug}/shares/comparison/new/?s={a.pk}&s={b.pk}",
                                           {"days": "1"}))  # fmt: skip
    Mirror(org_a).mark_deleted({b.external_id})
    assert Client().get(compare_path).status_code == 410
    link = ShareLink.objects.get(kind="athlete")
    assert coach.post(f"/o/{org_a.slug}/shares/{link.pk}/revoke/").status_code == 302
    gone = Client().get(athlete_path)
    assert gone.status_code == 410 and "Anna" not in gone.content.decode()


def test_another_organization_s_athlete_or_sessions_are_missing(client_for, bruno, org_b, org_a, anna):
    client = client_for(bruno)
    a, b = anna.jumps[1], anna.jumps[2]
    assert client.get(f"/o/{org_b.slug}/shares/athlete/{anna.pk}/new/").status_code == 404
    assert client.post(f"/o/{org_b.slug}/shares/athlete/{anna.pk}/new/", {"days": "7"}).status_code == 404
    url = f"/o/{org_b.slug}/shares/comparison/new/?s={a.pk}&s={b.pk}"
    assert client.get(url).status_code == 404 and client.post(url, {"days": "7"}).status_code == 404
    assert not ShareLink.objects.exists()


def test_a_comparison_of_different_activities_cannot_be_shared(client_for, chloe, org_a, anna):
    run = make_session(org_a, athlete=anna, title="A run")
    url = f"/o/{org_a.slug}/shares/comparison/new/?s={anna.jumps[1].pk}&s={run.pk}"
    response = client_for(chloe).post(url, {"days": "7"})
    assert response.status_code == 400 and "different activities" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_shared_range_drawn_a_week_at_a_time_rings_only_the_week_of_its_best(
    client_for, chloe, org_a, anna, monkeypatch
):
    from coachportal.sessions import profile

    monkeypatch.setattr(profile, "SESSION_POINTS", 10)  # more than 10 sessions: a point per week
    now = timezone.now()
    for day in range(3, 60, 3):  # 19 more jump sessions; the best (58 cm) 30 days ago
        height = 0.58 if day == 30 else 0.35
        make_session(org_a, athlete=anna, activity="jumping", title=f"Jumps {day}",
                     recorded_at=now - timedelta(days=day), metrics={"jump_height": [height]})  # fmt: skip
    url = f"/o/{org_a.slug}/shares/athlete/{anna.pk}/new/?range=90d"
    path = created_path(client_for(chloe).post(url, {"days": "7"}))
    html = Client().get(path).content.decode()
    data = chart_json(html, "jump-height")
    assert data["bucket"] == "week" and len(data["best"]) < 22
    assert len(data["pb"]) == 1 and data["best"][data["pb"][0]] == 58.0
    assert data["pb_value"] is None and "61.0" not in html  # the best outside the range stays out
    assert html.count("58.0 (best in range)") == 1 and "35.0 (best in range)" not in html  # one week ringed
