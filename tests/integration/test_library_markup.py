"""The library's rows and filter fields are written by templates: every piece of provider or person text
arrives escaped, the rows say the same things as before, and dates read one way in fields and rows."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.sessions import forms as library_forms
from coachportal.sessions import rows as library_rows_module
from coachportal.sessions.forms import LibraryFilterForm, date_presets
from coachportal.sessions.models import Session
from coachportal.sessions.rows import library_rows, row_values

pytestmark = pytest.mark.django_db


def _sessions(org):
    ana = Athlete.objects.create(organization=org, name="Ana <b>Runner</b>", aikynetix_user_id="u-ana")
    when = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    specs = [
        {
            "athlete": ana,
            "title": "<i>Tempo</i> & hills",
            "status": "ready",
            "analyzed_video_url": "https://v.example/a.mp4",
        },
        {"provider_user_name": 'Zed "<script>"', "exercise": "clean_and_jerk", "activity": "weightlifting"},
        {"provider_user_id": "u-<7>", "status": "processing", "title": ""},
        {"status": "failed", "key_metrics": {"Speed <km/h>": "3 & 4", "Cadence": 172}},
        {"activity": "match", "provider_user_name": "", "key_metrics": {}},
        {"activity": "match", "provider_user_name": "Hilltop <U12>", "exercise": "Five a side"},
        {"activity": "mystery-sport", "key_metrics": [], "status": "ready"},
    ]
    return [
        Session.objects.create(organization=org, external_id=f"e{n}", recorded_at=when, **spec)
        for n, spec in enumerate(specs)
    ]


def test_the_row_template_escapes_every_provider_and_person_text(org_a):
    rows = library_rows(org_a, [row_values(s) for s in _sessions(org_a)])
    html = "".join(get_template("sessions/library.html#row").render({"s": row}) for row in rows)
    assert "<script>" not in html and "<b>Runner</b>" not in html and "<i>Tempo</i>" not in html
    assert "&lt;i&gt;Tempo&lt;/i&gt; &amp; hills" in html
    assert "Ana &lt;b&gt;Runner&lt;/b&gt;" in html
    assert "Zed &quot;&lt;script&gt;&quot;" in html
    assert "Hilltop &lt;U12&gt;" in html and "u-&lt;7&gt;" in html
    assert '<small class="muted">Speed &lt;km/h&gt;</small> 3 &amp; 4' in html


def test_each_row_says_who_what_when_and_how_it_stands(org_a):
    rows = library_rows(org_a, [row_values(s) for s in _sessions(org_a)])
    local = timezone.localtime(datetime(2025, 3, 10, 9, 5, tzinfo=UTC))
    assert rows[0].recorded_text == f"10 Mar 2025, {local:%H:%M} {local.tzname()}"
    assert [(r.athlete_kind, r.athlete_text) for r in rows] == [
        ("roster", "Ana <b>Runner</b>"),
        ("unassigned", 'Zed "<script>"'),
        ("unassigned", "u-<7>"),
        ("unassigned", "Unknown"),
        ("match", "\N{EN DASH}"),
        ("match", "Hilltop <U12>"),
        ("unassigned", "Unknown"),
    ]
    assert [r.thumb_url for r in rows] == [""] * 7  # no poster frame yet: the neutral placeholder
    assert rows[1].activity_text == "Weightlifting" and rows[1].exercise_text == "Clean and jerk"
    assert rows[2].title_text == "(untitled)" and rows[2].status_text == "Processing"
    assert rows[3].metrics == [("Speed <km/h>", "3 & 4"), ("Cadence", 172)]
    assert rows[6].activity_text == "Mystery sport" and rows[6].metrics == []


def test_no_markup_is_built_in_python_for_rows_or_filter_fields():
    for module in (library_rows_module, library_forms):
        source = Path(module.__file__).read_text()
        assert "mark_safe" not in source and "SafeString" not in source, module.__name__


def test_the_library_page_escapes_row_data_and_keeps_its_filters(client_for, org_a, chloe):
    _sessions(org_a)
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/?q=%3Cb%3E&sort=title")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="&lt;b&gt;"' in html  # the title search keeps what was typed, escaped
    assert '<option value="title" selected>Title A to Z</option>' in html
    html = client_for(chloe).get(f"/o/{org_a.slug}/sessions/").content.decode()
    assert "&lt;i&gt;Tempo&lt;/i&gt; &amp; hills" in html and "<i>Tempo" not in html


@pytest.mark.parametrize("typed", ["10 Mar 2025", "10 march 2025", "2025-03-10", "10/03/2025"])
def test_a_day_is_read_in_several_ways_and_shown_in_one(org_a, typed):
    form = LibraryFilterForm({"date_from": typed}, org=org_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_from"] == date(2025, 3, 10)
    assert 'value="10 Mar 2025"' in str(form["date_from"])
    assert 'placeholder="e.g. 10 Mar 2025"' in str(form["date_from"])


def test_a_half_typed_day_is_refused_by_the_browser_pattern_and_by_the_form(org_a):
    form = LibraryFilterForm({"date_from": "2026"}, org=org_a)
    assert not form.is_valid()
    html = str(form["date_from"])
    assert 'pattern="' in html and 'type="text"' in html


def test_the_presets_cover_this_week_30_days_last_month_and_the_season():
    assert date_presets(date(2026, 3, 12)) == [  # a Thursday
        ("This week", date(2026, 3, 9), date(2026, 3, 12)),
        ("Last 30 days", date(2026, 2, 11), date(2026, 3, 12)),
        ("Last month", date(2026, 2, 1), date(2026, 2, 28)),
        ("This season", date(2025, 8, 1), date(2026, 3, 12)),
    ]
    assert date_presets(date(2026, 1, 5))[2] == ("Last month", date(2025, 12, 1), date(2025, 12, 31))
    assert date_presets(date(2026, 9, 1))[3] == ("This season", date(2026, 8, 1), date(2026, 9, 1))


def test_the_kept_athlete_filter_follows_the_roster_and_the_choice(client_for, chloe, org_a):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    client = client_for(chloe)
    page = f"/o/{org_a.slug}/sessions/"
    assert f'<option value="{ana.pk}">Ana</option>' in client.get(page).content.decode()
    ana.name = "Ana Renamed"
    ana.save()
    ben = Athlete.objects.create(organization=org_a, name="Ben", aikynetix_user_id="u-ben")
    html = client.get(page).content.decode()
    assert (
        f'<option value="{ana.pk}">Ana Renamed</option>' in html
        and f'<option value="{ben.pk}">Ben</option>' in html
    )
    chosen = client.get(f"{page}?athlete={ben.pk}").content.decode()
    assert f'<option value="{ben.pk}" selected>Ben</option>' in chosen


def test_the_filter_form_drops_a_removed_athlete_and_shows_each_querys_own_values(client_for, chloe, org_a):
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    ben = Athlete.objects.create(organization=org_a, name="Ben", aikynetix_user_id="u-ben")
    client = client_for(chloe)
    page = f"/o/{org_a.slug}/sessions/"
    assert f'<option value="{ben.pk}">Ben</option>' in client.get(page).content.decode()
    ben.delete()
    html = client.get(page).content.decode()
    assert ">Ben</option>" not in html and f'<option value="{ana.pk}">Ana</option>' in html
    # The form rendered for one query is never the one shown for another.
    sorted_page = client.get(f"{page}?sort=title&q=hills").content.decode()
    assert (
        '<option value="title" selected>Title A to Z</option>' in sorted_page
        and 'value="hills"' in sorted_page
    )
    plain = client.get(page).content.decode()
    assert "selected>Title A to Z" not in plain and 'value="hills"' not in plain


def test_the_kept_roster_names_are_per_organization(client, org_a, org_b, chloe, bruno):
    # Same roster size and, to the stamp, possibly the same last change: the organization tells them apart.
    Athlete.objects.create(organization=org_a, name="Riverside Rita", aikynetix_user_id="u-rita")
    Athlete.objects.create(organization=org_b, name="Hilltop Hugo", aikynetix_user_id="u-hugo")
    client.force_login(bruno)
    assert "Hilltop Hugo" in client.get(f"/o/{org_b.slug}/sessions/").content.decode()
    client.force_login(chloe)
    html = client.get(f"/o/{org_a.slug}/sessions/").content.decode()
    assert "Riverside Rita" in html and "Hilltop Hugo" not in html


def test_the_library_reads_its_sync_state_key_and_roster_in_one_query(client_for, chloe, org_a):
    from coachportal.organizations.models import Provider, ProviderCredential
    from coachportal.sessions.page_state import library_state

    first = library_state(org_a)  # the first visit creates the sync state row
    assert first.has_key is False and first.sync.organization_id == org_a.pk
    ana = Athlete.objects.create(organization=org_a, name="Ana", aikynetix_user_id="u-ana")
    credential = ProviderCredential(organization=org_a, provider=Provider.AIKYNETIX)
    credential.set_key("library-key-1234")
    credential.save()
    with CaptureQueriesContext(connection) as queries:
        state = library_state(org_a)
    assert len(queries) == 1
    assert state.has_key is True and state.roster_stamp != first.roster_stamp
    ana.name = "Ana Renamed"
    ana.save()
    assert library_state(org_a).roster_stamp != state.roster_stamp
