"""Compare: a coach picks two to four sessions of one activity and sees them side by side."""

from datetime import timedelta

import pytest

from coachportal.sessions import compare
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

JUMPS_A = {"jump_height": [0.40, 0.45], "rsi": [1.2, 1.3], "contact_time": [0.30, 0.32]}
JUMPS_B = {"jump_height": [0.50, 0.44, 0.48], "rsi": [1.1, 1.0], "contact_time": [0.28, 0.27]}


def url(org, query=""):
    return f"/o/{org.slug}/compare/" + (f"?{query}" if query else "")


@pytest.fixture
def jumps(org_a):
    ana = make_athlete(org_a, "Ana Jumper")
    ben = make_athlete(org_a, "Ben Jumper")
    first = make_session(org_a, athlete=ana, activity="jumping", title="Ana March jumps", metrics=JUMPS_A,
                         analyzed_video_url="https://videos.example/a.mp4")  # fmt: skip
    second = make_session(org_a, athlete=ben, activity="jumping", title="Ben April jumps", metrics=JUMPS_B,
                          analyzed_video_url="https://videos.example/b.mp4")  # fmt: skip
    return first, second


def test_two_sessions_of_different_athletes_play_side_by_side_with_their_offsets(client_for, chloe, jumps):
    first, second = jumps
    response = client_for(chloe).get(url(first.organization, f"s={first.pk}&o=0&s={second.pk}&o=0.35"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-compare-video") == 2
    assert html.index("https://videos.example/a.mp4") < html.index("https://videos.example/b.mp4")
    assert 'data-offset="0.35"' in html and 'name="o" value="0.35"' in html
    assert "Ana March jumps" in html and "Ben April jumps" in html


def test_the_metrics_table_shows_differences_against_the_first_session_by_direction(client_for, chloe, jumps):
    first, second = jumps
    [base, other] = [first, second]
    rows = {r.key: r for r in compare.metric_rows("jumping", [base, other])}
    height = rows["jump_height"]
    assert height.cells[0].value == "45.0 cm" and height.cells[1].value == "50.0 cm"
    assert height.cells[1].change == "+5.0 cm (+11.1%)"
    assert height.cells[1].tone == "better"
    contact = rows["contact_time"]  # lower is better: shorter contact is an improvement
    assert contact.cells[1].tone == "better" and contact.cells[1].change == "-35 ms (-11.3%)"
    html = client_for(chloe).get(url(first.organization, f"s={first.pk}&s={second.pk}")).content.decode()
    assert "▲ +5.0 cm (+11.1%) better" in html  # not by colour alone: the word and the arrow say it too
    assert "Jump height (best of 3)" in html


def test_sessions_of_different_activities_are_refused_with_a_clear_message(client_for, chloe, org_a, jumps):
    run = make_session(org_a, activity="running", title="Easy run")
    response = client_for(chloe).get(url(org_a, f"s={jumps[0].pk}&s={run.pk}"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "These sessions are of different activities (Vertical jump, Running)" in html
    assert "data-compare-video" not in html
    assert "Easy run" in html and "Ana March jumps" in html  # nothing lost: both stay listed, as links


def test_another_organizations_session_is_a_404(client_for, chloe, org_b, jumps):
    theirs = make_session(org_b, activity="jumping", title="Hilltop jumps")
    response = client_for(chloe).get(url(jumps[0].organization, f"s={jumps[0].pk}&s={theirs.pk}"))
    assert response.status_code == 404
    assert b"Hilltop jumps" not in response.content


def test_an_outsider_gets_a_404_for_the_compare_page(client_for, bruno, jumps):
    first, second = jumps
    assert client_for(bruno).get(url(first.organization, f"s={first.pk}&s={second.pk}")).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", compare.CHOOSE),
        ("s={first}", compare.TOO_FEW),
        ("s=abc&s={first}", compare.NOT_AN_ID.format(value="abc")),
        ("s=007&s={first}", compare.NOT_AN_ID.format(value="007")),
        ("s={first}&s={first}", compare.REPEATED.format(pk="{first}")),
    ],
    ids=["nothing", "one", "not-a-number", "leading-zeros", "twice"],
)
def test_missing_or_invalid_choices_get_a_clear_message(client_for, chloe, jumps, query, message):
    first, _ = jumps
    query, message = query.format(first=first.pk), message.format(first=first.pk)
    response = client_for(chloe).get(url(first.organization, query))
    assert response.status_code == (200 if not query else 400)
    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    if query:
        assert "Ana March jumps" in html  # the valid choice is kept, as a link


def test_a_bad_offset_is_named_and_that_video_starts_unshifted(client_for, chloe, jumps):
    first, second = jumps
    html = client_for(chloe).get(url(first.organization, f"s={first.pk}&o=x&s={second.pk}&o=1e9")).content
    html = html.decode()
    assert "The offset “x” is not a number of seconds" in html and "“1e9”" in html
    assert html.count('data-offset="0"') == 2


def test_more_than_four_sessions_show_the_first_four(client_for, chloe, org_a):
    sessions = [make_session(org_a, title=f"Run {n}") for n in range(5)]
    query = "&".join(f"s={s.pk}" for s in sessions)
    html = client_for(chloe).get(url(org_a, query)).content.decode()
    assert compare.TOO_MANY in html and html.count("data-compare-video") == 4 and "Run 4" not in html


def test_the_session_page_offers_compare_with_the_previous_session_of_that_athlete(
    client_for, chloe, org_a, jumps
):
    first, _ = jumps
    ana = first.athlete
    earlier = first.recorded_at - timedelta(days=30)
    older = make_session(
        org_a, athlete=ana, activity="jumping", title="Ana February jumps", recorded_at=earlier
    )
    make_session(org_a, athlete=ana, activity="running", title="Ana run", recorded_at=older.recorded_at)
    html = client_for(chloe).get(f"/o/{org_a.slug}/sessions/{first.pk}/").content.decode()
    assert f"/o/{org_a.slug}/compare/?s={older.pk}&amp;s={first.pk}" in html
    assert "Compare with previous" in html and "Ana February jumps" in html
    oldest = client_for(chloe).get(f"/o/{org_a.slug}/sessions/{older.pk}/").content.decode()
    assert "Compare with previous" not in oldest
