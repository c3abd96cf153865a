"""The library's filter form is written by Jinja2 (jinja2/sessions/library_filters.html) from the plain data
of sessions/filter_form.py: it reads byte for byte as the Django rendering it replaced (kept below as it
was on main at 58a3e9a: the form's fragment of sessions/library.html, each field's as_field_group with
forms/field.html, and the PlainSelect widget with its template sessions/widgets/select.html), errors,
hostile names and text, an athlete's page, "My athletes only", a large roster and another language
included."""

import pytest
from django import forms
from django.db import connection
from django.http import QueryDict
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.safestring import mark_safe

from coachportal.athletes.models import Athlete
from coachportal.sessions.filter_form import filters_html
from coachportal.sessions.forms import LibraryFilterForm, _roster_statement, read_filters, roster_names
from tests.factories import make_athlete

pytestmark = pytest.mark.django_db

# sessions/library.html's filter form, between its {% cache %} and {% endcache %} (the fragment it kept).
DJANGO_FORM = """
  <form method="get" action="{{ list_url }}" aria-label="Filter sessions" class="library-filters"
        hx-get="{{ list_url }}" hx-target="#results" hx-swap="outerHTML" hx-push-url="true"
        hx-trigger="submit, change, input from:#id_q delay:500ms" hx-sync="this:replace">
    {% if athlete %}<input type="hidden" name="athlete" value="{{ athlete.pk }}">{% else %}{{ form.athlete.as_field_group }}{% endif %}
    {{ form.activity.as_field_group }}
    {{ form.status.as_field_group }}
    {{ form.date_from.as_field_group }}
    {{ form.date_to.as_field_group }}
    {{ form.q.as_field_group }}
    {{ form.sort.as_field_group }}
    {% if show_mine %}{{ form.mine.as_field_group }}{% endif %}
    <div class="field library-filters__buttons">
      <button type="submit" class="secondary">Apply</button>
      <a href="{{ list_url }}" class="small-button" hx-get="{{ list_url }}" hx-target="#library" hx-select="#library" hx-swap="outerHTML" hx-push-url="true">Clear</a>
    </div>
  </form>
  """  # noqa: E501
# sessions/widgets/select.html, PlainSelect's template.
DJANGO_SELECT = """{# Django's select.html with its options written in place. #}
<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>{% for value, label, selected in widget.options %}
  <option value="{{ value }}"{% if selected %} selected{% endif %}>{{ label }}</option>{% endfor %}
</select>
"""  # noqa: E501


class PlainSelect(forms.Select):
    """sessions.forms.PlainSelect as it was, its template read from DJANGO_SELECT."""

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = set(context["widget"]["value"])
        context["widget"]["options"] = [(str(key), label, str(key) in chosen) for key, label in self.choices]
        return context

    def _render(self, template_name, context, renderer=None):
        # As Widget._render does with the renderer's template (whose render() strips the result).
        return mark_safe(engines["django"].from_string(DJANGO_SELECT).template.render(_ctx(context)).strip())  # noqa: S308


def _ctx(values):
    from django.template import Context

    return Context(values)


def django_html(form, *, list_url, athlete=None, show_mine=False) -> str:
    for name in ("athlete", "activity", "status", "sort"):
        field = form.fields[name]
        widget = PlainSelect(attrs=field.widget.attrs)
        widget.choices = field.widget.choices
        field.widget = widget
    context = {"form": form, "list_url": list_url, "athlete": athlete, "show_mine": show_mine}
    return engines["django"].from_string(DJANGO_FORM).template.render(_ctx(context))


def jinja_html(form, *, list_url, athlete=None, show_mine=False) -> str:
    return str(
        filters_html(form, list_url=list_url, athlete_pk=athlete.pk if athlete else None, show_mine=show_mine)
    )


HOSTILE = ['<script>alert("x")</script>', "O'Brien & Sons", 'Zed "quoted" <b>', "&amp; already", "Élodie Ü"]

QUERIES = [
    {},
    {"activity": "running"},
    {"activity": "running", "status": "ready", "sort": "title", "q": "tempo", "mine": "on"},
    {"date_from": "2025-01-01", "date_to": "10 Mar 2025"},
    {"date_from": "1/2/2025", "date_to": "10 March 2025"},
    {"date_from": "bad", "date_to": "31/02/2025"},  # invalid dates: errors, aria-invalid, aria-describedby
    {"date_from": "2025-03-01", "date_to": "2025-01-01"},  # the end before the start
    {"q": "x" * 150},  # too long
    {"q": '<script>alert("x")</script> \' & "'},
    {"athlete": "999999", "activity": "<b>", "status": "zzz", "sort": "nope", "mine": "yes"},
    {"page": "0", "q": "&lt;"},
    {"date_from": '"><script>', "q": "  spaced  "},
]


@pytest.fixture
def roster(org_a):
    athletes = [make_athlete(org_a, name) for name in HOSTILE]
    athletes += [make_athlete(org_a, f"Athlete {n:03d}") for n in range(300)]
    return athletes


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("show_mine", [False, True])
@pytest.mark.parametrize("athlete_page", [False, True])
def test_the_filter_form_reads_as_django_wrote_it(org_a, roster, query, show_mine, athlete_page):
    athlete = roster[0] if athlete_page else None
    data = {**query, "athlete": str(roster[1].pk)} if query and not athlete_page else dict(query)
    if athlete_page:
        data["athlete"] = str(athlete.pk)
    list_url = f"/o/{org_a.slug}/sessions/?x=<&'\""
    new = LibraryFilterForm(data, org=org_a)
    old = LibraryFilterForm(data, org=org_a)
    new.is_valid(), old.is_valid()
    expected = django_html(old, list_url=list_url, athlete=athlete, show_mine=show_mine)
    assert jinja_html(new, list_url=list_url, athlete=athlete, show_mine=show_mine) == expected
    assert expected.count("<option") >= (11 if athlete_page else 300)


@pytest.mark.parametrize("query", QUERIES)
def test_the_page_s_filters_read_as_django_wrote_them(org_a, roster, query):
    """As the page builds them: read_filters drops what fails (so the form shows no errors) and the library
    as it opens builds its form lazily."""
    new = read_filters(QueryDict(mutable=True) | query, org=org_a).form
    old = read_filters(QueryDict(mutable=True) | query, org=org_a).form
    assert jinja_html(new, list_url="/l/", show_mine=True) == django_html(old, list_url="/l/", show_mine=True)


def test_errors_and_help_text_are_written_as_django_writes_them(org_a, roster):
    data = {"date_from": "bad", "date_to": "2025-13-40", "q": "y" * 101}
    new, old = LibraryFilterForm(data, org=org_a), LibraryFilterForm(data, org=org_a)
    for form in (new, old):
        form.fields["q"].help_text = "Words <em>in</em> the title"  # written as given (|safe)
        form.fields["status"].required = True
        form.is_valid()
    html = jinja_html(new, list_url="/l/")
    assert html == django_html(old, list_url="/l/")
    assert 'aria-invalid="true" aria-describedby="id_q_helptext id_q_error"' in html
    assert '<small class="field-help" id="id_q_helptext">Words <em>in</em> the title</small>' in html
    assert (
        '<select name="status" required aria-invalid="true" aria-describedby="id_status_error"'
        ' id="id_status">' in html
    )


@pytest.mark.parametrize("language", ["de", "fr", "en"])
def test_another_language_reads_alike(org_a, roster, language):
    data = {"date_from": "bad", "q": "z" * 120, "status": "nope"}
    with translation.override(language):
        new, old = LibraryFilterForm(data, org=org_a), LibraryFilterForm(data, org=org_a)
        new.is_valid(), old.is_valid()
        assert jinja_html(new, list_url="/l/") == django_html(old, list_url="/l/")


def test_the_roster_s_names_are_read_in_the_orm_s_order(org_a, org_b):
    for name in ["bob", "Bob", "alice", "Ålesund", "Zed", "zed", "ann-marie", "Ann Marie", "Bob"]:
        make_athlete(org_a, name)
    make_athlete(org_b, "Another club's")
    expected = list(
        Athlete.objects.filter(organization=org_a).order_by("name", "pk").values_list("pk", "name")
    )
    assert [tuple(row) for row in roster_names(org_a.pk)] == expected
    assert [tuple(row) for row in roster_names(org_a.pk, "a-stamp")] == expected  # read, then kept
    assert [tuple(row) for row in roster_names(org_a.pk, "a-stamp")] == expected  # from the cache


def test_new_filters_searches_and_presets_read_no_roster_again(client_for, chloe, org_a):
    """What the rendered form's cache missed on (issue 18): the names are kept under the roster's stamp
    only, so every other query string is written from them without reading the roster."""
    make_athlete(org_a, "Ana")
    client = client_for(chloe)
    page = f"/o/{org_a.slug}/sessions/"
    client.get(page)
    roster = _roster_statement("default").split(" WHERE ")[0]  # SELECT the ids and names FROM the athletes
    for query in ("?q=hills", "?activity=running&q=new+words", "?date_from=2025-01-01&date_to=2025-02-01"):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page + query).content.decode()
        assert ">Ana</option>" in html
        assert not [q["sql"] for q in queries.captured_queries if q["sql"].startswith(roster)]
    make_athlete(org_a, "Ben")  # a new stamp: read once more
    with CaptureQueriesContext(connection) as queries:
        assert ">Ben</option>" in client.get(page + "?q=hills").content.decode()
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith(roster)]
