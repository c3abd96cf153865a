# ruff: noqa: E501, RUF001  (OLD_ROW below is the former row template, verbatim)
"""The library's lean markup (filter fields and row cells built in Python) is the markup of the templates
it replaced: same labels, ids, names, selected values, aria attributes, and every piece of data escaped."""

from datetime import UTC, datetime

import pytest
from django import forms
from django.forms.boundfield import BoundField
from django.template import engines
from django.template.loader import get_template
from django.test.html import parse_html
from django.utils import timezone

from coachportal.athletes.models import Athlete
from coachportal.sessions import forms as library_forms
from coachportal.sessions.forms import LibraryFilterForm
from coachportal.sessions.models import Session
from coachportal.sessions.rows import library_rows, row_values

pytestmark = pytest.mark.django_db

FIELDS = ["athlete", "activity", "status", "date_from", "date_to", "q", "sort"]
QUERIES = [
    {},
    {"activity": "running", "status": "ready", "sort": "title"},
    {"date_from": "2025-03-01", "date_to": "2025-03-31", "q": 'Tom & "Jerry" <b>'},
    # Errors: shown next to their field, with aria-invalid and aria-describedby on the input.
    {"date_from": "not a date", "status": "nope", "q": "x" * 101, "sort": "<script>"},
    {"date_from": "2025-03-31", "date_to": "2025-03-01"},
]


def _reference(bf, monkeypatch):
    """The field group as Django renders it with the project's template and Django's own widgets."""
    with monkeypatch.context() as m:
        m.setattr(library_forms.FastSelect, "render", forms.Select.render)
        m.setattr(library_forms.FastInputMixin, "render", forms.Widget.render)
        return BoundField.as_field_group(bf)


@pytest.mark.parametrize("query", QUERIES)
def test_the_lean_filter_fields_match_the_template_rendering(org_a, monkeypatch, query):
    ana = Athlete.objects.create(organization=org_a, name='Ana "<Runner>"', aikynetix_user_id="u-ana")
    Athlete.objects.create(organization=org_a, name="Ben & Co", aikynetix_user_id="u-ben")
    data = dict(query, athlete=str(ana.pk)) if query else query
    form = LibraryFilterForm(data, org=org_a)
    form.is_valid()
    for name in FIELDS:
        lean = str(form[name].as_field_group())
        reference = str(_reference(form[name], monkeypatch))
        assert parse_html(lean) == parse_html(reference), (name, lean, reference)


def test_the_lean_filter_fields_keep_labels_ids_selected_values_and_errors(org_a):
    ana = Athlete.objects.create(organization=org_a, name="Ana <Runner>", aikynetix_user_id="u-ana")
    form = LibraryFilterForm({"athlete": str(ana.pk), "status": "ready", "date_from": "x"}, org=org_a)
    form.is_valid()
    html = "".join(str(form[name].as_field_group()) for name in FIELDS)
    for name in FIELDS:
        assert f'<label for="id_{name}">' in html
        assert f'name="{name}"' in html and f'id="id_{name}"' in html
    assert f'<option value="{ana.pk}" selected>Ana &lt;Runner&gt;</option>' in html
    assert '<option value="ready" selected>Ready</option>' in html
    assert '<div class="field field--invalid">' in html
    assert 'aria-invalid="true" aria-describedby="id_date_from_error"' in html
    assert '<small class="field-error" id="id_date_from_error">Enter a valid date.</small>' in html
    assert 'maxlength="100"' in html and 'placeholder="Words in the title…"' in html


# The row partial as it was before its cells were built in Python, for comparison.
OLD_ROW = engines["django"].from_string(
    """{% for s in rows %}<tr id="session-{{ s.pk }}" class="library-row"
    {% if s.is_processing %}hx-get="{{ s.row_url }}{% if not show_athlete %}?compact=1{% endif %}" hx-trigger="every 5s" hx-swap="outerHTML"{% endif %}>
  <td class="library-thumb"><a href="{{ s.detail_url }}" tabindex="-1" aria-hidden="true" class="thumb-link">{% if s.status == "ready" and s.analyzed_video_url %}<span class="play-icon" aria-hidden="true">▶</span>{% elif s.status == "ready" %}<span class="play-icon play-icon--muted" aria-hidden="true">▷</span>{% else %}<span class="play-icon play-icon--muted" aria-hidden="true">…</span>{% endif %}</a></td>
  <td data-label="Date"><time datetime="{{ s.recorded_iso }}">{{ s.recorded_text }}</time></td>
  {% if show_athlete %}<td data-label="Athlete">{% if s.activity == "match" %}<span title="AI on the Ball match">{{ s.provider_user_name|default:"–" }}</span>{% elif s.athlete_id %}<a href="{{ s.athlete_url }}">{{ s.athlete.name }}</a>{% else %}<span class="muted" title="No athlete in the roster has this AiKYNETIX user id">{{ s.provider_user_name|default:s.provider_user_id|default:"Unknown" }} <small>(unassigned athlete)</small></span>{% endif %}</td>{% endif %}
  <td data-label="Activity">{{ s.activity_label }}{% if s.exercise %} <small class="muted">{{ s.exercise_label }}</small>{% endif %}</td>
  <td data-label="Title"><a href="{{ s.detail_url }}">{{ s.title|default:"(untitled)" }}</a></td>
  <td data-label="Status"><span class="badge status--{{ s.status }}">{% if s.is_processing %}<span aria-busy="true">Processing</span>{% else %}{{ s.get_status_display }}{% endif %}</span></td>
  <td data-label="Key metrics" class="key-metrics">{% for label, value in s.key_metrics.items %}<span><small class="muted">{{ label }}</small> {{ value }}</span>{% empty %}<span class="muted">–</span>{% endfor %}</td>
</tr>{% endfor %}"""
)


def _sessions(org):
    ana = Athlete.objects.create(organization=org, name="Ana <b>Runner</b>", aikynetix_user_id="u-ana")
    when = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    specs = [
        {"athlete": ana, "title": "<i>Tempo</i> & hills", "analyzed_video_url": "https://v.example/a.mp4"},
        {"provider_user_name": 'Zed "<script>"', "exercise": "clean_and_jerk", "activity": "weightlifting"},
        {"provider_user_id": "u-<7>", "status": "processing", "title": ""},
        {"status": "failed", "key_metrics": {"Speed <km/h>": "3 & 4", "Cadence": 172}},
        {"activity": "match", "provider_user_name": "", "key_metrics": {}},
        {"activity": "match", "provider_user_name": "Hilltop <U12>", "exercise": "Five a side"},
        {"activity": "mystery-sport", "key_metrics": []},
    ]
    return [
        Session.objects.create(organization=org, external_id=f"e{n}", recorded_at=when, **spec)
        for n, spec in enumerate(specs)
    ]


@pytest.mark.parametrize("show_athlete", ["1", ""])
def test_the_rows_built_in_python_match_the_former_row_template(org_a, show_athlete):
    sessions = _sessions(org_a)
    rows = library_rows(org_a, [row_values(s) for s in sessions])
    for s, row in zip(sessions, rows, strict=True):
        s.recorded_iso, s.recorded_text = row.recorded_iso, row.recorded_text
        s.detail_url, s.row_url, s.athlete_url = row.detail_url, row.row_url, row.athlete_url
    assert rows[0].recorded_text == "10 Mar 2025, " + timezone.localtime(sessions[0].recorded_at).strftime(
        "%H:%M"
    )
    old = OLD_ROW.render({"rows": sessions, "show_athlete": show_athlete})
    row_partial = get_template("sessions/library.html#row")
    new = "".join(row_partial.render({"s": row, "show_athlete": show_athlete}) for row in rows)
    assert parse_html(new) == parse_html(old), new
    assert "<script>" not in new and "<b>Runner</b>" not in new and "<i>Tempo</i>" not in new


def test_the_library_page_escapes_row_data_and_keeps_its_filters(client_for, org_a, chloe):
    _sessions(org_a)
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/?q=%3Cb%3E&sort=title")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="&lt;b&gt;"' in html  # the title search keeps what was typed, escaped
    assert '<option value="title" selected>Title A to Z</option>' in html
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/")
    html = response.content.decode()
    assert "&lt;i&gt;Tempo&lt;/i&gt; &amp; hills" in html
    assert "Ana &lt;b&gt;Runner&lt;/b&gt;" in html
    assert "Zed &quot;&lt;script&gt;&quot;" in html
    assert '<small class="muted">Speed &lt;km/h&gt;</small> 3 &amp; 4' in html
