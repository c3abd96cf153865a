"""The library as it opens (no query string) reads its filters without building the filter form; what it
says about them is what a form given no data says, and the form is there when the page renders it."""

import pytest
from django.http import QueryDict

from coachportal.sessions.forms import Filters, LibraryFilterForm, read_filters

pytestmark = pytest.mark.django_db


def test_the_unfiltered_filters_say_what_an_empty_form_says(org_a):
    lazy = read_filters(QueryDict(""), org=org_a)
    form = LibraryFilterForm({}, org=org_a)
    assert form.is_valid()
    built = Filters(form, [])
    assert lazy.values == built.values == {} and lazy.form_key == built.form_key == ""
    assert lazy._given == built._given and list(lazy._given) == list(form.fields)
    for changes in ({}, {"page": 2}, {"sort": "title", "page": None}, {"date_from": "2025-01-01"}):
        assert lazy.query(**changes) == built.query(**changes)
    assert lazy.page == 1 and lazy.active == 0 and lazy.ignored == []
    assert lazy.form.is_bound and lazy.form.errors == {}  # built, and validated, once asked for
    assert str(lazy.form["athlete"]) == str(form["athlete"])  # the same select, roster included


def test_a_query_string_with_nothing_the_library_knows_is_the_unfiltered_library(org_a):
    assert read_filters(QueryDict("utm_source=mail"), org=org_a).values == {}
