"""Notes on the compare page: under each video, that session's notes in time order with their drawings'
data, read in one query for all the videos however many notes there are."""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachportal.notes import services
from tests.factories import make_session

pytestmark = pytest.mark.django_db

ARROW = {"type": "arrow", "points": [[0.2, 0.2], [0.4, 0.5]]}


@pytest.fixture
def jumps(org_a):
    make = {"activity": "jumping", "raw": {"end_frames": [30]}, "frame_rate": 30.0}
    first = make_session(org_a, title="Ana jumps", analyzed_video_url="https://videos.example/a.mp4", **make)
    second = make_session(org_a, title="Ben jumps", analyzed_video_url="https://videos.example/b.mp4", **make)
    return first, second


def compare_page(client, first, second) -> str:
    url = f"/o/{first.organization.slug}/compare/?s={first.pk}&o=0&s={second.pk}&o=0.5"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str, video_id: str) -> str:
    start = html.index(f'data-notes-for="{video_id}"')
    return html[start : html.index("</section>", start)]


def test_each_video_lists_its_own_sessions_notes_in_time_order(client_for, chloe, jumps):
    first, second = jumps
    services.add_note(second, actor=chloe, at_seconds=2.0, text="Ben lands stiff", shapes=[], aspect=1.7)
    services.add_note(second, actor=chloe, at_seconds=0.4, text="Ben arms late", shapes=[ARROW], aspect=1.7)
    services.add_note(first, actor=chloe, at_seconds=1.0, text="Ana good depth", shapes=[], aspect=1.7)
    html = compare_page(client_for(chloe), first, second)

    ana, ben = panel(html, "compare-video-1"), panel(html, "compare-video-2")
    assert "Ana good depth" in ana and "Ben" not in ana
    assert ben.index("Ben arms late") < ben.index("Ben lands stiff")
    assert "Drawing: arrow" in ben
    data = json.loads(re.search(r'<script type="application/json">(.*?)</script>', ben).group(1))
    assert [(n["at"], n["shapes"]) for n in data] == [(0.4, [ARROW]), (2.0, [])]
    assert 'id="compare-video-2"' in html  # the panel names the video its drawings go over
    # The compare page only reads: changing a note is done on the session's own page.
    assert "/notes/add/" not in html and "Delete" not in ben
    assert f"/o/{first.organization.slug}/sessions/{second.pk}/#notes" in ben


def test_notes_text_is_escaped_on_the_compare_page(client_for, chloe, jumps):
    first, second = jumps
    text = "<script>alert(1)</script>"
    services.add_note(first, actor=chloe, at_seconds=1, text=text, shapes=[], aspect=1.7)
    html = compare_page(client_for(chloe), first, second)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_compare_page_reads_notes_in_one_query_however_many(client_for, chloe, jumps):
    first, second = jumps
    client = client_for(chloe)
    compare_page(client, first, second)
    with CaptureQueriesContext(connection) as none:
        compare_page(client, first, second)
    for n in range(8):
        for session in jumps:
            services.add_note(session, actor=chloe, at_seconds=n, text=f"n{n}", shapes=[ARROW], aspect=1.7)
    with CaptureQueriesContext(connection) as sixteen:
        html = compare_page(client, first, second)
    assert html.count('class="note"') == 16
    assert len(sixteen) == len(none)


def test_each_video_has_a_timeline_with_its_markers_as_ticks(client_for, chloe, jumps):
    first, second = jumps
    html = compare_page(client_for(chloe), first, second)
    assert html.count('data-timeline data-timeline-for="compare-video-') == 2
    assert html.count('aria-label="Go to Jump 1 ends (1.00 s)"') == 2


def test_the_compare_and_session_pages_ship_less_than_60_kb_of_script_and_style_gzipped(
    client_for, chloe, jumps, settings
):
    first, second = jumps
    client = client_for(chloe)
    for html in (
        compare_page(client, first, second),
        client.get(f"/o/{first.organization.slug}/sessions/{first.pk}/").content.decode(),
    ):
        assets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(
            r'<script src="([^"]+)"', html
        )
        assert any("timeline" in a for a in assets) and any("notes" in a for a in assets)
        total = sum(
            len(gzip.compress(Path(finders.find(url.removeprefix(settings.STATIC_URL))).read_bytes(), 9))
            for url in assets
        )
        assert total < 60 * 1024, f"{total} bytes"
