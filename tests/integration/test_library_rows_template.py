"""The library's rows come from one Jinja2 template (jinja2/sessions/library_rows.html): a coach sees provider
and person text escaped in the page and in a polled row, and a polled row reads exactly as in the page."""

import re

import pytest
from django.template import engines

from coachportal.athletes.models import Athlete
from coachportal.sessions.models import Session
from tests.factories import make_session

pytestmark = pytest.mark.django_db

NASTY = "Tom &\"'<> Lee"
NASTY_ESCAPED = "Tom &amp;&quot;&#x27;&lt;&gt; Lee"


def _row(html: str, pk: int) -> str:
    [row] = re.findall(rf'<tr id="session-{pk}".*?</tr>', html, flags=re.S)
    return row


def test_provider_and_person_text_is_escaped_in_the_page_and_in_a_polled_row(client_for, org_a, chloe):
    tom = Athlete.objects.create(organization=org_a, name=NASTY, aikynetix_user_id="u-tom")
    mine = make_session(org_a, title="<script>alert(1)</script>", athlete=tom, status="processing")
    theirs = make_session(org_a, title="x", provider_user_name=NASTY, provider_user_id="u-nobody")
    client = client_for(chloe)

    page = client.get(f"/o/{org_a.slug}/sessions/").content.decode()
    polled = client.get(f"/o/{org_a.slug}/sessions/{mine.pk}/row/", headers={"HX-Request": "true"})

    for html in (_row(page, mine.pk), polled.content.decode()):
        assert "<script>" not in html and NASTY not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title: link and checkbox label
        assert 'aria-label="Select &lt;script&gt;alert(1)&lt;/script&gt;"' in html
        assert f'dir="auto">{NASTY_ESCAPED}</a>' in html  # the roster athlete's name
    assert f"<bdi>{NASTY_ESCAPED}</bdi>" in _row(page, theirs.pk)  # the provider's name for an unknown user


@pytest.mark.parametrize("status", ["processing", "ready"])
def test_a_polled_row_is_the_row_the_page_shows(client_for, org_a, chloe, status):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    session = make_session(org_a, athlete=ana, status=status, thumbnail="thumbs/s1.jpg")
    client = client_for(chloe)

    in_page = _row(client.get(f"/o/{org_a.slug}/sessions/").content.decode(), session.pk)
    polled = client.get(f"/o/{org_a.slug}/sessions/{session.pk}/row/", headers={"HX-Request": "true"})

    assert polled.content.decode().strip() == in_page
    assert ("every 5s" in in_page) is (status == Session.Status.PROCESSING)


def test_the_row_template_autoescapes_and_offers_no_globals():
    env = engines["jinja2"].env
    assert env.autoescape is True and dict(env.globals) == {}
    template = engines["jinja2"].from_string("{{ v }}|{{ n }}")
    assert template.render({"v": "<b>&'\"", "n": 1e20}) == "&lt;b&gt;&amp;&#x27;&quot;|100000000000000000000"
    with pytest.raises(Exception, match="range"):
        engines["jinja2"].from_string("{% for i in range(3) %}{% endfor %}").render({})
