"""Title search in the library: each typed word is a word of the title, the last may be unfinished.

The same on every database. On PostgreSQL a GIN index of the title words serves it, and the search
chooses between walking the newest rows and asking the index from what a bounded walk finds
(sessions/title_search.py): whichever way it goes, a coach sees the same sessions.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coachportal.sessions import title_search
from coachportal.sessions.models import Session
from tests.factories import SESSIONS_BEFORE, make_session

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the words index and the plan choice exist on PostgreSQL only"
)

TITLES = [
    "Sprint 3 \N{EN DASH} spikes",
    "Hill sprints",
    "Sprint 30 flying",
    "Tempo run 2025-03-01",
    "O'Brien 3.5km",
    "Ärger am Berg",
    "post-season test",
    "Session 999997",
    "100% effort_day",
]


@pytest.fixture
def library(org_a, org_b):
    for title in TITLES:
        make_session(org_a, title=title)
    make_session(org_a, title="Sprint 3 deleted", status="deleted")
    make_session(org_b, title="Sprint 3 of another club")
    return org_a


def found(org, text):
    return sorted(Session.objects.for_org(org).visible().title_search(text).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sprint", ["Hill sprints", "Sprint 3 \N{EN DASH} spikes", "Sprint 30 flying"]),  # may be unfinished
        ("spr", ["Hill sprints", "Sprint 3 \N{EN DASH} spikes", "Sprint 30 flying"]),
        ("sprint hill", []),  # a whole word before it: "sprint" is not "sprints"
        ("SPRINT 3", ["Sprint 3 \N{EN DASH} spikes", "Sprint 30 flying"]),  # any case; every word must match
        ("sprint 3 spikes", ["Sprint 3 \N{EN DASH} spikes"]),
        ("3 sprint", ["Sprint 3 \N{EN DASH} spikes"]),  # in any order; "3" is whole, not the start of "30"
        ("spr spikes", []),  # only the last word may be unfinished
        ("  hill   sprints ", ["Hill sprints"]),
        ("print", []),  # inside a word is not a match
        ("2025-03", ["Tempo run 2025-03-01"]),
        ("o'brien", ["O'Brien 3.5km"]),
        ("brien", ["O'Brien 3.5km"]),
        ("ärger", ["Ärger am Berg"]),  # case of letters beyond ASCII too
        ("ÄRG", ["Ärger am Berg"]),
        ("season", ["post-season test"]),
        ("post-sea", ["post-season test"]),
        ("999997", ["Session 999997"]),
        ("session 99999", ["Session 999997"]),
        ("e", ["100% effort_day"]),  # one letter: the start of a word
        ("nothing-like-this", []),
    ],
)
def test_a_coach_finds_sessions_by_the_words_of_their_titles(library, typed, expected):
    assert found(library, typed) == expected


@pytest.mark.parametrize("typed", ["", "   ", "\N{EN DASH} \N{EN DASH}", "'", "\\", "%", "_"])
def test_a_search_without_letters_or_digits_filters_nothing(library, typed):
    assert len(found(library, typed)) == len(TITLES)


@pytest.mark.parametrize(
    "typed", ["q'z", "x\\", "it's", "a & b | !c", "(x:*)", "%'; DROP TABLE library_session; --", "[a-z]+"]
)
def test_quotes_wildcards_and_query_operators_are_taken_as_text(library, typed):
    assert found(library, typed) == []  # no error, and nothing matches by accident
    assert Session.objects.filter(organization=library).count() == len(TITLES) + 1


def test_the_search_keeps_the_other_filters_and_the_organization(library):
    sprints = Session.objects.for_org(library).visible().filter(title__startswith="Sprint 3 ")
    assert sorted(sprints.title_search("sprint").values_list("title", flat=True)) == [
        "Sprint 3 \N{EN DASH} spikes"
    ]


def test_the_library_page_searches_titles_by_words(library, chloe, client_for):
    response = client_for(chloe).get(f"/o/{library.slug}/sessions/?q=sprint+3")
    rows = [row.title for row in response.context["rows"]]
    assert rows == ["Sprint 3 \N{EN DASH} spikes", "Sprint 30 flying"]


def test_the_tsquery_quotes_each_word_and_only_the_last_is_a_prefix():
    assert title_search.search_words(" Sprint  \N{EN DASH} 3 ") == ["Sprint", "3"]
    assert title_search.words_query(["o'brien", "a\\b"]) == "'o''brien' & 'a\\\\b':*"


def many_sessions(org, count, title_of):
    """`count` sessions, the newest first: session n was recorded n hours before the factory's anchor."""
    Session.objects.bulk_create(
        Session(
            organization=org,
            external_id=f"bulk-{n}",
            title=title_of(n),
            status="ready",
            recorded_at=SESSIONS_BEFORE - timedelta(hours=n),
        )
        for n in range(count)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_session")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("session", 60),  # common: every title, found by the walk at once
        ("session 5", 11),  # rare once past the newest rows: 5 and 50-59
        ("session 59", 1),
        ("jump", 0),
    ],
)
def test_a_coach_sees_the_same_sessions_whichever_plan_serves_them(
    org_a, chloe, client_for, monkeypatch, typed, expected
):
    many_sessions(org_a, 60, lambda n: f"Running session {n}")
    whole = found(org_a, typed)  # 60 rows: the walk reads the whole selection
    monkeypatch.setattr(title_search, "WALK", 8)  # now the walk reads a part and decides
    monkeypatch.setattr(title_search, "ENOUGH", 3)
    assert len(whole) == expected and found(org_a, typed) == whole
    monkeypatch.setattr(title_search, "RARE", 5)  # too many for the id list: the planner's query
    monkeypatch.setattr(title_search, "RARE_SQLITE", 5)
    assert found(org_a, typed) == whole
    response = client_for(chloe).get(f"/o/{org_a.slug}/sessions/?q={typed}")
    assert [row.title for row in response.context["rows"]] == sorted(
        whole, key=lambda title: int(title.rsplit(" ", 1)[1])
    )[:25]  # newest first: the smallest numbers


@on_postgresql
def test_on_postgresql_rare_words_are_found_through_the_words_index(org_a, org_b):
    for org in (org_a, org_b):
        many_sessions(org, 3000, lambda n: f"Running session {n}")
    sessions = Session.objects.for_org(org_a).visible()
    with CaptureQueriesContext(connection) as ran:
        query = sessions.title_search("session 2997").newest_first()[:26]
    walk, ids = (captured["sql"] for captured in ran.captured_queries)
    with connection.cursor() as cursor:
        plans = []
        for sql in (walk, ids):
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    # A bounded walk of the newest rows, then the rare words' rows from their index.
    assert "library_org_recorded" in plans[0] and f"LIMIT {title_search.WALK}" in walk
    assert "library_session_title_words" in plans[1]
    assert [s.title for s in query] == ["Running session 2997"]
    plan = query.explain()
    assert "library_session_pkey" in plan and "library_org_recorded" not in plan  # those ids, not a walk


def rows_read(plan: dict, index: str) -> int:
    """How many rows the scans of `index` returned in an EXPLAIN ANALYZE plan (JSON)."""
    found = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) if plan.get("Index Name") == index else 0
    return found + sum(rows_read(child, index) for child in plan.get("Plans", []))


@pytest.mark.parametrize(("typed", "common"), [("session", True), ("session 2997", False)])
@on_postgresql
def test_on_postgresql_the_walk_stops_once_it_has_found_enough_matches(org_a, typed, common):
    many_sessions(org_a, 3000, lambda n: f"Running session {n}")
    sessions = Session.objects.for_org(org_a).visible()
    with CaptureQueriesContext(connection) as ran:
        sessions.title_search(typed)
    walk = ran.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + walk)
        [(plan,)] = cursor.fetchall()
        cursor.execute(walk)
        returned = cursor.fetchall()
    # Common words: the first ENOUGH rows all match and the walk ends there (the row numbering reads one
    # row ahead), not WALK rows on. Rare words (2997 is far from the newest): the whole walk is read, and
    # only its last row comes back, the sign that the selection goes on.
    read = rows_read(plan[0]["Plan"], "library_org_recorded")
    if common:
        assert read <= title_search.ENOUGH + 1 and len(returned) == title_search.ENOUGH
    else:
        assert read >= title_search.WALK and len(returned) == 1


@on_postgresql
def test_on_postgresql_the_walk_tests_plain_words_as_text_before_computing_title_words(org_a):
    # A word of only letters or only digits is one word of the parser, so a title without it as text
    # cannot match: its ILIKE comes first. Other words ("3.5km", "1e5abc" is two) get no such test.
    with CaptureQueriesContext(connection) as ran:
        Session.objects.for_org(org_a).title_search("Session 2997 3.5km o'brien 1e5abc")
    walk = ran.captured_queries[0]["sql"]
    assert walk.count("ILIKE") == 2
    assert walk.index("ILIKE '%Session%'") < walk.index("ILIKE '%2997%'") < walk.index("to_tsvector")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's plan: LIKE, then regular expressions")
def test_on_sqlite_every_like_narrows_the_rows_before_any_regular_expression_runs():
    # SQLite tests the conditions in the order written; a rare word's LIKE (in C) drops nearly every row
    # before the regular expressions (in Python) see them, even when the first word is in every title.
    # The number is the likely rarer word: its LIKE and its expression come first, so "session" (in
    # every title) is tested only on the rows that have the number.
    sql = str(title_search.filter_titles(Session.objects.all(), "session 999997").query)
    tests = [
        sql.index("LIKE %999997%"),
        sql.index("LIKE %session%"),
        sql.index("REGEXP"),
        sql.index(r"(?<![^\W_])999997"),
        sql.index(r"(?<![^\W_])session(?![^\W_])"),
    ]
    assert tests == sorted(tests)


def titles_with(words: list[str], titles: list[str]) -> list[str]:
    """The word search as specified, in Python: each word's expression, and for an ASCII word its text in
    the title with ASCII letters in any case (SQLite's LIKE, PostgreSQL's words split alike)."""

    def folded(text):
        return "".join(char.lower() if char.isascii() else char for char in text)

    patterns = title_search.title_pattern(words)
    return sorted(
        title
        for title in titles
        if all(
            re.search("(?i)" + pattern, title) and (not word.isascii() or folded(word) in folded(title))
            for word, pattern in zip(words, patterns, strict=True)
        )
    )


TRICKY = [
    "Run\N{EN DASH}tempo 12",  # a separator past ASCII
    "\N{LATIN CAPITAL LETTER A WITH DIAERESIS}run 12",  # a letter past ASCII: "run" is inside a word
    "x_run 112",  # the underscore separates words
    "(run) [12]",
    "RUN*12?",
    "rerun 12 run",  # "run" inside a word, then as a word
    "tempo\N{NO-BREAK SPACE}run",
    "xkey \N{KELVIN SIGN}ey",  # the expression takes the Kelvin sign for a "k"; LIKE finds "key" in "xkey"
]


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL's parser splits words its own way")
@pytest.mark.parametrize(
    "typed", ["run", "run 12", "12 run", "tempo run", "run*", "[12", "12?", "x", "re", "key", "run key"]
)
def test_on_sqlite_titles_with_separators_and_letters_past_ascii_match_as_specified(org_a, typed):
    for title in TRICKY:
        make_session(org_a, title=title)
    assert found(org_a, typed) == titles_with(title_search.search_words(typed), TRICKY)


@pytest.mark.parametrize(
    ("typed", "order"),
    [
        ("session 99", ["99", "session"]),  # a word with a digit first
        ("hill sprints", ["sprints", "hill"]),  # then the longer
        ("3.5km o'brien 2025-03", ["2025-03", "3.5km", "o'brien"]),
        ("run tempo", ["tempo", "run"]),
    ],
)
def test_the_word_likely_rarest_in_titles_is_tested_first(typed, order):
    assert sorted(title_search.search_words(typed), key=title_search.rarest_first) == order


@on_postgresql
def test_on_postgresql_the_words_index_keeps_no_pending_list_for_searches_to_read():
    # A rare title's lookup read GIN's pending list whole: 22 ms at a million sessions, 0.3 ms without it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'library_session_title_words'")
        [(options,)] = cursor.fetchall()
    assert "fastupdate=off" in (options or [])


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's plan")
def test_on_sqlite_rare_words_are_found_in_the_index_of_titles_not_by_reading_every_row(org_a, org_b):
    for org in (org_a, org_b):
        many_sessions(org, 3000, lambda n: f"Running session {n}")
    sessions = Session.objects.for_org(org_a).visible()
    with CaptureQueriesContext(connection) as ran:
        titles = [s.title for s in sessions.title_search("session 2997").newest_first()[:26]]
    probe, ids, page = (captured["sql"] for captured in ran.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + ids)
        plan = str(cursor.fetchall())
    # A bounded walk of the newest rows, then the ids from the (organization, title, id) index without
    # the table, then those rows.
    assert f"LIMIT {title_search.WALK}" in probe
    assert "COVERING INDEX library_org_title_sort" in plan
    assert '"library_session"."id" IN (' in page and "LIKE" not in page
    assert titles == ["Running session 2997"]
    # Common words keep the walk; so does a selection of no single organization.
    with CaptureQueriesContext(connection) as ran:
        common = [s.title for s in sessions.title_search("session").newest_first()[:26]]
    assert len(ran.captured_queries) == 2 and common == [f"Running session {n}" for n in range(26)]
    anywhere = Session.objects.title_search("session 2997")
    assert list(anywhere.values_list("title", flat=True)) == ["Running session 2997"] * 2
