"""The library's results are kept under a digest of what their template is given (templatetags/library_rows):
the same page again is not written again, and anything a row or the reader changes shows at once."""

import re

import pytest
from django.template.backends import jinja2 as jinja2_backend

from coachportal.athletes.models import Athlete
from coachportal.organizations.models import Role
from coachportal.sessions import rows as rows_module
from coachportal.sessions.models import Session
from coachportal.sessions.templatetags.library_rows import _digest
from tests.factories import make_member, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_written(monkeypatch):
    """How many times the results template was written."""
    written = []
    original = jinja2_backend.Template.render

    def render(self, context=None, request=None):
        if self.template.name == "sessions/library_results.html":
            written.append(1)
        return original(self, context, request)

    monkeypatch.setattr(jinja2_backend.Template, "render", render)
    return written


def results(response) -> str:
    [section] = re.findall(r'<section id="results".*?</section>', response.content.decode(), flags=re.S)
    return section


def test_the_same_page_again_is_not_written_again(client_for, org_a, chloe, results_written):
    make_session(org_a, title="Hill reps")
    client = client_for(chloe)
    first = results(client.get(f"/o/{org_a.slug}/sessions/"))
    second = results(client.get(f"/o/{org_a.slug}/sessions/"))
    assert "Hill reps" in first and second == first and len(results_written) == 1
    htmx = client.get(f"/o/{org_a.slug}/sessions/", headers={"HX-Request": "true", "HX-Target": "results"})
    table = first[first.index("<table") : first.index("</table>")]
    assert table in htmx.content.decode() and len(results_written) == 1  # the swap of the results too


def test_a_page_found_in_the_cache_builds_no_rows(client_for, org_a, chloe, monkeypatch):
    make_session(org_a, title="Hill reps")
    client = client_for(chloe)
    first = results(client.get(f"/o/{org_a.slug}/sessions/"))
    built = []
    monkeypatch.setattr(rows_module, "library_rows", lambda org, values: built.append(1) or [])
    assert results(client.get(f"/o/{org_a.slug}/sessions/")) == first and built == []


def test_a_changed_row_shows_at_once(client_for, org_a, chloe, results_written):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    session = make_session(org_a, title="Hill reps", athlete=ana, status="processing")
    client = client_for(chloe)
    client.get(f"/o/{org_a.slug}/sessions/")
    # Written straight to the database (no signal, no save()): what a sync or another process does.
    Session.objects.filter(pk=session.pk).update(title="Tempo run")
    assert "Tempo run" in results(client.get(f"/o/{org_a.slug}/sessions/"))
    Session.objects.filter(pk=session.pk).update(status="ready")
    page = results(client.get(f"/o/{org_a.slug}/sessions/"))
    assert "every 5s" not in page and "status--ready" in page
    Session.objects.filter(pk=session.pk).update(thumbnail="thumbs/new-frame.jpg")
    assert "new-frame.jpg" in results(client.get(f"/o/{org_a.slug}/sessions/"))
    Athlete.objects.filter(pk=ana.pk).update(name="Ana Maria")
    assert "Ana Maria" in results(client.get(f"/o/{org_a.slug}/sessions/"))
    Session.objects.filter(pk=session.pk).update(status="deleted")
    assert f"session-{session.pk}" not in results(client.get(f"/o/{org_a.slug}/sessions/"))
    assert len(results_written) == 6


def test_each_reader_sees_their_own_zone_and_role(client_for, org_a, chloe, adam):
    make_session(org_a, title="Hill reps")
    chloe.time_zone = "Asia/Tokyo"
    chloe.save(update_fields=["time_zone"])
    coach = results(client_for(chloe).get(f"/o/{org_a.slug}/sessions/"))
    admin = results(client_for(adam).get(f"/o/{org_a.slug}/sessions/"))
    assert "JST" in coach and "JST" not in admin  # the time in each reader's zone
    assert "Delete…" in admin and "Delete…" not in coach  # the bulk actions of each reader's role
    assert "JST" in results(client_for(chloe).get(f"/o/{org_a.slug}/sessions/"))


def test_two_coaches_in_different_zones_each_see_their_own(client_for, org_a, chloe):
    make_session(org_a, title="Hill reps")
    other = make_member(org_a, Role.COACH).user  # the organization's zone
    chloe.time_zone = "Asia/Tokyo"
    chloe.save(update_fields=["time_zone"])
    assert "JST" in results(client_for(chloe).get(f"/o/{org_a.slug}/sessions/"))
    assert "JST" not in results(client_for(other).get(f"/o/{org_a.slug}/sessions/"))


def test_the_year_a_time_is_written_with_is_part_of_the_key(client_for, org_a, chloe, monkeypatch):
    from datetime import date

    from django.utils import timezone

    make_session(org_a, title="Hill reps", recorded_at=timezone.now())  # no year written this year
    client = client_for(chloe)
    this_year = results(client.get(f"/o/{org_a.slug}/sessions/"))
    year = timezone.localdate().year
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(year + 1, 1, 1))
    next_year = results(client.get(f"/o/{org_a.slug}/sessions/"))
    assert f" {year}," not in this_year and f" {year}," in next_year


def test_values_that_cannot_be_pickled_are_written_without_the_cache():
    assert _digest({"rows": [], "page": 1}) == _digest({"rows": [], "page": 1})
    assert _digest({"rows": [], "page": 1}) != _digest({"rows": [], "page": 2})
    assert _digest({"rows": [lambda: None]}) is None
