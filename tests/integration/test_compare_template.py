"""The compare page's videos and key metrics table come from Jinja2 templates
(jinja2/sessions/compare_videos.html, compare_table.html) fed plain data (compare.video_cards): every title
and name in them is escaped as the Django templates that wrote them escaped it, and the table reads byte for
byte as the Django one (still used by a shared comparison, sharing/comparison.html)."""

import pytest
from django.template import engines

from coachportal.sessions import compare, timing
from tests.factories import make_athlete, make_session

pytestmark = pytest.mark.django_db

NASTY = "Tom &\"'<> Lee"
NASTY_ESCAPED = "Tom &amp;&quot;&#x27;&lt;&gt; Lee"
# Without quotes: text the environment's finalize leaves to autoescape (see coachportal/jinja_env.py)
PLAIN = "<b>Bo & Lee</b>"
PLAIN_ESCAPED = "&lt;b&gt;Bo &amp; Lee&lt;/b&gt;"
JUMPS = {"jump_height": [0.40, 0.45], "rsi": [1.2, 1.3], "contact_time": [0.30, 0.32]}


@pytest.fixture
def hostile(org_a):
    """Two jumps with hostile titles and athlete names, analysed videos, a frame rate and marked moments."""
    sessions = []
    for title, name, url in ((NASTY, PLAIN, "https://videos.example/a.mp4?x=1&y=2"), (PLAIN, NASTY, "")):
        athlete = make_athlete(org_a, name)
        fields = {"raw": {"end_frames": [25, 60]}, "frame_rate": 50.0, "analyzed_video_url": url}
        sessions.append(
            make_session(org_a, athlete=athlete, activity="jumping", title=title, metrics=JUMPS, **fields)
        )
    return sessions


def data(org, sessions, offsets=(0.0, -1.25)):
    videos = [
        {"dom_id": f"compare-video-{n}", "s": s, "offset": o, "fps": 50.0, "error": NASTY,
         "markers": timing.markers(s.activity, s.raw, s.metrics, 50.0)}
        for n, (s, o) in enumerate(zip(sessions, offsets, strict=True), start=1)
    ]  # fmt: skip
    cards = compare.video_cards(videos, org_slug=org.slug)
    return videos, cards, compare.metric_rows("jumping", sessions)


def fragments(env, org, sessions) -> str:
    _, cards, rows = data(org, sessions)
    videos = env.get_template(compare.VIDEOS_TEMPLATE).render({"videos": cards})
    return videos + env.get_template(compare.TABLE_TEMPLATE).render({"videos": cards, "rows": rows})


def assert_escaped(html: str) -> None:
    assert NASTY not in html and PLAIN not in html
    assert f'aria-label="Analysed video: {NASTY_ESCAPED}"' in html
    assert f'aria-label="Marked moments on the timeline: {NASTY_ESCAPED}"' in html
    assert f">{NASTY_ESCAPED}</a></strong>" in html and f">{PLAIN_ESCAPED}</a></strong>" in html  # captions
    assert f'<span class="muted">{PLAIN_ESCAPED} · <time' in html  # the athletes
    assert f'<span class="muted">{NASTY_ESCAPED} · <time' in html
    assert f'<p class="banner banner--warning" role="alert">{NASTY_ESCAPED}</p>' in html  # a video's error
    assert 'src="https://videos.example/a.mp4?x=1&amp;y=2"' in html
    assert f'<th scope="col">Base: {NASTY_ESCAPED}<br>' in html  # the table's headings
    assert f'<td data-label="{PLAIN_ESCAPED}">' in html


def test_every_title_and_name_on_the_compare_fragments_is_escaped(org_a, hostile):
    assert_escaped(fragments(engines["jinja2"].env, org_a, hostile))


def test_the_escaping_check_fails_when_the_templates_do_not_escape(org_a, hostile):
    """The test above can fail: the same templates in an environment without autoescape fail it."""
    unescaped = engines["jinja2"].env.overlay(autoescape=False, cache_size=0)
    with pytest.raises(AssertionError):
        assert_escaped(fragments(unescaped, org_a, hostile))


def test_the_page_writes_the_fragments_escaped(client_for, chloe, org_a, hostile):
    first, second = hostile
    response = client_for(chloe).get(f"/o/{org_a.slug}/compare/?s={first.pk}&o=0&s={second.pk}&o=-1.25")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/o/{org_a.slug}/sessions/{first.pk}/">{NASTY_ESCAPED}</a>' in html
    assert 'data-offset="-1.25"' in html and 'name="o" value="-1.25"' in html and 'data-fps="50"' in html
    assert 'data-tick-at="0.500"' in html and 'aria-label="Go to Jump 2 ends (1.20 s)"' in html
    assert 'data-align="1.200">Jump 2 ends</button>' in html and "· 50 fps</span>" in html
    assert f'<th scope="col">Base: {NASTY_ESCAPED}<br>' in html
    assert "No analysed video." in html  # the second session has none
    assert NASTY not in html and PLAIN not in html


def test_a_shared_comparison_shows_the_compare_pages_table(org_a, hostile):
    videos, cards, rows = data(org_a, hostile)
    shared = compare.table_html([v["s"] for v in videos], rows)
    _, on_the_page = compare.render_fragments(cards, rows)
    assert shared == on_the_page and "<table" in shared
    assert "▲" in shared or "▼" in shared or "same" in shared
    assert NASTY not in shared
