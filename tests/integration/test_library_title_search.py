"""Title search in the library: each typed word must start a word of the title, on every database.

On PostgreSQL the search is a full-text prefix query served by a GIN index (it stays bounded at a
million sessions); elsewhere the same rule is applied with a regular expression.
"""

import pytest
from django.db import connection

from coachportal.sessions.models import Session
from coachportal.sessions.title_search import prefix_query, search_words
from tests.factories import make_session

pytestmark = pytest.mark.django_db

TITLES = [
    "Sprint 3 \N{EN DASH} spikes",
    "Hill sprints",
    "Tempo run 2025-03-01",
    "O'Brien 3.5km",
    "Ärger am Berg",
    "post-season test",
    "Session 999997",
]


@pytest.fixture
def library(org_a, org_b):
    for title in TITLES:
        make_session(org_a, title=title)
    make_session(org_b, title="Sprint 3 of another club")
    return org_a


def found(org, text):
    return sorted(Session.objects.for_org(org).title_search(text).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sprint", ["Hill sprints", "Sprint 3 \N{EN DASH} spikes"]),  # any case, word prefixes
        ("SPRINT 3", ["Sprint 3 \N{EN DASH} spikes"]),  # every word must match
        ("spr spi", ["Sprint 3 \N{EN DASH} spikes"]),
        ("  hill   sprint ", ["Hill sprints"]),
        ("print", []),  # inside a word is not a match
        ("2025-03", ["Tempo run 2025-03-01"]),
        ("3.5", ["O'Brien 3.5km"]),
        ("o'brien", ["O'Brien 3.5km"]),
        ("brien", ["O'Brien 3.5km"]),
        ("ärg", ["Ärger am Berg"]),
        ("season", ["post-season test"]),
        ("post-sea", ["post-season test"]),
        ("999997", ["Session 999997"]),
        ("nothing-like-this", []),
    ],
)
def test_a_coach_finds_sessions_by_the_start_of_title_words(library, typed, expected):
    assert found(library, typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "\N{EN DASH} \N{EN DASH}", "'", "\\"])
def test_a_search_without_letters_or_digits_filters_nothing(library, typed):
    assert len(found(library, typed)) == len(TITLES)


@pytest.mark.parametrize("typed", ["q'z", "x\\", "it's", "a & b | !c", "(x:*)"])
def test_quotes_and_query_operators_are_taken_as_text(library, typed):
    assert found(library, typed) == []  # no error, and nothing matches by accident


def test_the_tsquery_quotes_each_word_as_a_prefix():
    assert search_words(" Sprint  \N{EN DASH} 3 ") == ["Sprint", "3"]
    assert prefix_query(["o'brien", "a\\b"]) == "'o''brien':* & 'a\\\\b':*"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_on_postgresql_the_search_is_served_by_the_title_words_index(library):
    Session.objects.bulk_create(
        Session(organization=library, external_id=f"bulk-{n}", title=f"Running session {n}")
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_session")
    query = Session.objects.for_org(library).title_search("session 2999").newest_first()[:50]
    assert "library_session_title_words" in query.explain()
