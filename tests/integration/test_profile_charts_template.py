"""The profile's charts come from one Jinja2 template (jinja2/sessions/profile_charts.html) fed plain data:
every text in a chart, its table and its data is escaped as the Django template that wrote them escaped it."""

import pytest
from django.template import engines

from coachportal.sessions.templatetags.profile_trends import CHARTS_TEMPLATE, render_trends
from tests.factories import make_athlete, make_session

NASTY = "Tom &\"'<> Lee"
NASTY_ESCAPED = "Tom &amp;&quot;&#x27;&lt;&gt; Lee"
# Without quotes: text the environment's finalize leaves to autoescape (see coachportal/jinja_env.py)
PLAIN = "<b>Bo & Lee</b>"
PLAIN_ESCAPED = "&lt;b&gt;Bo &amp; Lee&lt;/b&gt;"


def hostile_chart() -> dict:
    """A chart whose every text is hostile (none is today: catalogue words, dates, numbers, our URLs)."""
    return {
        "id": "chart-x",
        "data_id": "chart-x-data",
        "title": NASTY,
        "headline": PLAIN,
        "unit": PLAIN,
        "count": 1,
        "sessions": 1,
        "bucket": None,
        "point_word": "session",
        "point_title": NASTY,
        "rolling_label": NASTY,
        "rolling_title": NASTY,
        "shown": 1,
        "all_url": "",
        "data": {"label": NASTY, "dates": ["</script><script>alert(1)</script>"]},
        "rows": [{"url": f"/s/{NASTY}/", "day": NASTY, "best": PLAIN, "mean": PLAIN, "rolling": NASTY}],
        "median": PLAIN,
        "pb": {"value": PLAIN, "date": PLAIN, "url": f"/s/{NASTY}/", "in_range": False},
        "direction": "higher",
    }


def assert_escaped(html: str) -> None:
    assert NASTY not in html and PLAIN not in html and "<script>alert" not in html
    assert f"<strong>{NASTY_ESCAPED}</strong>" in html  # the title
    assert f"({PLAIN_ESCAPED}; session {PLAIN_ESCAPED}, 1 session)" in html  # unit, headline
    assert f'<th scope="row"><a href="/s/{NASTY_ESCAPED}/">{NASTY_ESCAPED}</a></th>' in html  # a row's day
    assert f'<td data-label="Best">{PLAIN_ESCAPED}</td><td data-label="Mean">{PLAIN_ESCAPED}</td>' in html
    assert f'<td data-label="{NASTY_ESCAPED}">{NASTY_ESCAPED}</td>' in html  # rolling average
    assert f'Personal best {PLAIN_ESCAPED} on <a href="/s/{NASTY_ESCAPED}/">{PLAIN_ESCAPED}</a>' in html
    assert f"Organization median {PLAIN_ESCAPED}." in html
    # The chart data as Django's json_script writes it: <, > and & as JSON escapes inside the script.
    assert '"dates": ["\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"]' in html
    assert '"label": "Tom \\u0026\\"\'\\u003C\\u003E Lee"' in html


def test_every_text_of_a_chart_is_escaped():
    assert_escaped(engines["jinja2"].get_template(CHARTS_TEMPLATE).render({"charts": [hostile_chart()]}))


def test_the_escaping_check_fails_when_the_template_does_not_escape():
    """The test above can fail: the same template in an environment without autoescape fails it."""
    unescaped = engines["jinja2"].env.overlay(autoescape=False, cache_size=0)
    html = unescaped.get_template(CHARTS_TEMPLATE).render({"charts": [hostile_chart()]})
    with pytest.raises(AssertionError):
        assert_escaped(html)


def test_every_text_of_a_section_is_escaped():
    chart = hostile_chart()
    section = {
        "activity": "x",
        "label": NASTY,
        "count": 2,
        "charts": [chart],
        "pbs": [chart],
        "latest": object(),
        "latest_pk": 2,
        "latest_date": PLAIN,
        "previous": object(),
        "previous_pk": 1,
        "previous_date": NASTY,
        "changes": [
            {"label": PLAIN, "previous": NASTY, "latest": PLAIN, "difference": NASTY, "verdict": "better"}
        ],
    }

    html = render_trends([section], org_slug="org", session_url_prefix="/o/org/sessions/")

    assert_escaped(html)  # the charts, included
    assert f'<h2 id="trend-x">{NASTY_ESCAPED} <small class="muted">2 sessions</small></h2>' in html
    assert f'<a href="/o/org/sessions/2/">{PLAIN_ESCAPED}</a> against <a href="/o/org/sessions/1/">' in html
    assert (
        f'<th scope="row">{PLAIN_ESCAPED}</th>\n        <td data-label="Previous">{NASTY_ESCAPED}</td>'
        in html
    )
    assert f'<td data-label="Change">{NASTY_ESCAPED} <span class="verdict">better</span></td>' in html
    assert f'<tr><th scope="row">{NASTY_ESCAPED}</th><td data-label="Best">{PLAIN_ESCAPED}</td>' in html


@pytest.mark.django_db
def test_a_hostile_athlete_name_is_escaped_on_the_profile(client_for, chloe, org_a):
    tom = make_athlete(org_a, NASTY, aikynetix_user_id="u-tom")
    make_session(org_a, athlete=tom, activity="jumping", metrics={"jump_height": [0.4], "rsi": [0.5]})

    html = client_for(chloe).get(f"/o/{org_a.slug}/athletes/{tom.pk}/?range=all").content.decode()

    assert NASTY not in html
    assert f"<h1><bdi>{NASTY_ESCAPED}</bdi>" in html
    assert 'id="chart-jumping-jump-height-data" type="application/json">' in html
