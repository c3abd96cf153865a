"""The library's date filter: whole days of the current time zone, served by the recorded_at index."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coachportal.sessions.models import Session
from tests.factories import make_session

from .test_library_list import titles, url

pytestmark = pytest.mark.django_db


def test_a_coach_filtering_one_day_sees_that_whole_day_and_nothing_around_it(client_for, org_a, chloe):
    make_session(org_a, title="Late the day before", recorded_at=datetime(2025, 3, 4, 23, 59, 59, tzinfo=UTC))
    make_session(org_a, title="First second", recorded_at=datetime(2025, 3, 5, 0, 0, 0, tzinfo=UTC))
    make_session(org_a, title="Last second", recorded_at=datetime(2025, 3, 5, 23, 59, 59, 999999, tzinfo=UTC))
    make_session(org_a, title="Next midnight", recorded_at=datetime(2025, 3, 6, 0, 0, 0, tzinfo=UTC))

    page = client_for(chloe).get(url(org_a, "date_from=2025-03-05&date_to=2025-03-05"))

    assert titles(page) == ["Last second", "First second"]


def test_days_are_those_of_the_current_time_zone(org_a):
    make_session(org_a, title="Evening in Amsterdam", recorded_at=datetime(2025, 3, 5, 23, 30, tzinfo=UTC))

    with timezone.override("Europe/Amsterdam"):  # 00:30 on 6 March there
        on_the_6th = Session.objects.recorded_between(date(2025, 3, 6), date(2025, 3, 6))
        on_the_5th = Session.objects.recorded_between(date(2025, 3, 5), date(2025, 3, 5))

    assert [s.title for s in on_the_6th] == ["Evening in Amsterdam"]
    assert not on_the_5th.exists()


def test_the_date_filter_compares_the_column_itself_so_an_index_can_serve_it(client_for, org_a, chloe):
    make_session(org_a, recorded_at=datetime(2025, 3, 5, 12, tzinfo=UTC))
    with CaptureQueriesContext(connection) as queries:
        client_for(chloe).get(url(org_a, "date_from=2025-03-01&date_to=2025-03-31"))

    library_queries = [q["sql"] for q in queries.captured_queries if 'FROM "library_session"' in q["sql"]]
    assert library_queries
    for sql in library_queries:
        # A cast of the column (PostgreSQL `::date` / `AT TIME ZONE`, SQLite `django_datetime_cast_date`)
        # reads and drops every row of the organization instead of an index range.
        assert "::date" not in sql and "AT TIME ZONE" not in sql and "cast_date" not in sql, sql
