"""Title search of the library: each typed word is a word of the title; the last may be the start of one.

"sprint 3" finds "Sprint 3 - spikes" and "Sprint 30", not "Sprints 3": whole words, any case, with the
last word taken as typed so far. Words, not substrings, so a rare word stays cheap at any size: on
PostgreSQL the words of every title sit in a GIN index (`to_tsvector('simple', title)`, migration 0011),
where a rare word has a posting list of a few rows. Trigrams could not do that: every trigram of
"session 999997" is common at a million sessions, and the index read them all (about 250 ms).

A GIN index returns its rows in no order, and the planner cannot tell a rare word from a common one
(numbers and names are never among its most common words), so it either walks the date index for a
rare word (seconds) or builds a bitmap of every title for a common one. The plan is chosen here, from
what the data says, not guessed:
  1. walk the newest rows of the selection (the date index), testing their titles, until ENOUGH match
     or WALK rows are read; if the selection ends before either, its matches are the whole answer;
  2. if ENOUGH match, the words are common: filter as usual and the page is found within about the
     first WALK rows of whatever order the page asks for (a word in every title costs ENOUGH rows);
  3. otherwise the words are rare: the words index alone finds their rows (if at most RARE, in every
     organization) and the page keeps those ids with its other conditions.
Other databases (the embedded SQLite default) test each word with a regular expression, after a LIKE
(and on SQLite a GLOB) that narrows the rows cheaply. SQLite chooses its plan by the same walk, with the
(organization, title, id) index of the title sorts in place of the words index (filter_titles_sqlite).
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.db.models.lookups import Exact, Lookup
from django.db.models.sql.where import AND

# The indexed expression; the migration builds its index from this same object so the two agree.
CONFIG = "simple"
TITLE_VECTOR = SearchVector("title", config=CONFIG)
WALK = 400  # newest rows the probe reads (reading their title words costs about 10 µs a row)
ENOUGH = 26  # matches among them that make the words common (a page and one more)
RARE = 5000  # at most this many ids are kept in the query; past it the planner decides as for common words
RARE_SQLITE = 1000  # the same on SQLite, where each id found costs a regular expression in Python


def search_words(text: str) -> list[str]:
    """The words of a search: separated by white space, each with at least one letter or digit."""
    return [word for word in (text or "").split() if any(char.isalnum() for char in word)]


def words_query(words: list[str]) -> str:
    """A raw tsquery: every word whole but the last, which is a prefix. PostgreSQL's parser splits each
    quoted word as it splits titles ("post-season" is a word and its two parts)."""

    def quoted(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join([*(quoted(word) for word in words[:-1]), quoted(words[-1]) + ":*"])


def title_pattern(words: list[str]) -> list[str]:
    """One regular expression per word: it starts a word of the title and, but for the last, ends one."""
    start, end = r"(?<![^\W_])", r"(?![^\W_])"
    *whole, last = words
    return [start + re.escape(word) + end for word in whole] + [start + re.escape(last)]


def rarest_first(word: str) -> tuple[bool, int]:
    """The order in which SQLite tests the words: a word with a digit first, then the longer first.

    SQLite has no statistics of words, and a walk of the newest rows tests every row it reads with the
    first word's LIKE, and with the next only the rows the first keeps. Numbers (a date, a count, a
    session's number) are spread over many values where letter words repeat (the activity, "session"),
    and a longer text is rarer as a part of a title: "session 99" tests "99" first, so "session", in every
    title, is tested only on the few rows with "99" (20,000 titles: 26.8 -> 22.2 ms, as the plain LIKE of
    the whole text before the word search).
    """
    return (not any(char.isdigit() for char in word), -len(word))


def ordered_tests(words: list[str]) -> list[tuple[str, str]]:
    """Each word with its regular expression (title_pattern), the likely rarest word first."""
    return sorted(zip(words, title_pattern(words), strict=True), key=lambda test: rarest_first(test[0]))


def with_title_tests(sessions: QuerySet, words: list[str], *, globs: bool = False) -> QuerySet:
    """The sessions whose titles have the words, by a LIKE and a regular expression per word (not PostgreSQL).

    Every LIKE before any regular expression: SQLite tests the conditions in the order written, and its
    LIKE (in C) on a rare word drops nearly every row before a Python regular expression sees it
    ("session 999997": 110 -> 17 ms over 100,000 titles). The likely rarest word goes first
    (rarest_first), so the other words' tests run only on the rows it keeps.
    """
    tests = ordered_tests(words)
    for word, _ in tests:
        if word.isascii():  # SQLite's LIKE folds only ASCII case
            sessions = sessions.filter(title__icontains=word)
    if globs:  # SQLite, where many titles are tested (starts_a_word)
        for word, _ in tests:
            if word.isascii():
                sessions = sessions.filter(starts_a_word(word))
    for _, pattern in tests:
        sessions = sessions.filter(title__iregex=pattern)
    return sessions


class Glob(Lookup):
    lookup_name = "glob"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} GLOB {rhs}", (*lhs_params, *rhs_params)


def starts_a_word(word: str) -> Q:
    """SQLite: the title has the ASCII word (any case) at the start of a word, or a character past ASCII.

    Tested in C between the LIKEs and the regular expressions: a LIKE keeps "Session 1990" for "99", and
    the expression (in Python, about 3 µs a title) then drops it; this GLOB drops it first. It keeps
    every title the expression keeps: the character before the word is not a letter or a digit for the
    expression, so it is none of [0-9A-Za-z] either. Only a letter past ASCII that the expression takes
    for an ASCII one in another case (the long s for "s", the Kelvin sign for "k") escapes the GLOB's [sS]:
    titles with any character past ASCII are left to the expression.
    """
    glob = "".join(
        f"[{char.lower()}{char.upper()}]" if char.isalpha() else f"[{char}]" if char in "*?[" else char
        for char in word
    )
    title = F("title")
    return (
        Q(Glob(title, glob + "*")) | Q(Glob(title, "*[^0-9A-Za-z]" + glob + "*")) | Q(Glob(title, PAST_ASCII))
    )


PAST_ASCII = "*[^\x01-\x7f]*"  # a character past ASCII (or NUL) anywhere


def filter_titles_sqlite(sessions: QuerySet, words: list[str]) -> QuerySet:
    """SQLite's plan, chosen as PostgreSQL's is (module docstring), the index of titles for the words index.

    The walk of the newest rows reads each row of the table (about 1.7 µs a row), so a rare word read the
    whole selection. The (organization, title, id) index of the title sorts holds an organization's
    titles in a fraction of the pages: a rare word's ids are found there without reading the table, and
    the page reads only their rows (the library page, a title near the oldest: 20,000 sessions 44 ->
    23 ms, 100,000 sessions 73 -> 23 ms). Common words stay with the walk, which finds its page in the
    first rows. A selection of no single organization (for_org's condition) is walked as before.

    The GLOBs of starts_a_word run where many titles are tested (the index, or a walk past a rare
    word); on a common word's walk they would only cost their compiling (about 0.5 ms).
    """
    organization = one_organization(sessions)
    if organization is None or len(probe_sqlite(sessions, organization, words)) >= ENOUGH:
        return with_title_tests(sessions, words)
    everywhere = sessions.model._default_manager.using(sessions.db).filter(organization_id=organization)
    found = with_title_tests(everywhere, words, globs=True).order_by().values_list("pk", flat=True)
    ids = list(found[: RARE_SQLITE + 1])
    return (
        sessions.filter(pk__in=ids)
        if len(ids) <= RARE_SQLITE
        else with_title_tests(sessions, words, globs=True)
    )


def one_organization(sessions: QuerySet) -> int | None:
    """The organization the selection is restricted to (for_org's condition among its AND-ed ones), if any."""
    where, organization = sessions.query.where, sessions.model._meta.get_field("organization")
    if where.connector != AND or where.negated:
        return None
    for condition in where.children:
        if (
            isinstance(condition, Exact)
            and getattr(condition.lhs, "target", None) == organization
            and isinstance(condition.rhs, int)
        ):
            return condition.rhs
    return None


def probe_sqlite(sessions: QuerySet, organization: int, words: list[str]) -> list[int]:
    """The matching ids among the organization's newest WALK sessions, at most ENOUGH of them.

    The organization's rows, not the selection's: written as SQL, the probe costs about 0.1 ms where
    compiling the selection's walk cost 0.25 ms more, on every search. Other filters only make a word
    look commoner than it is in the selection, which leaves such a search with the walk, as before
    this plan. SQLite reads the walk as the query around it asks for rows, so common words stop it at
    about ENOUGH rows. The tests are those of with_title_tests, written on the walk's "title" column.
    """
    connection = connections[sessions.db]
    meta, name = sessions.model._meta, connection.ops.quote_name
    table, pk, title = name(meta.db_table), name(meta.pk.column), name("title")
    organization_id, recorded_at = name(meta.get_field("organization").column), name("recorded_at")
    tests = ordered_tests(words)
    likes = [word for word, _ in tests if word.isascii()]
    hit = " AND ".join([f"{title} LIKE %s ESCAPE '\\'"] * len(likes) + [f"{title} REGEXP %s"] * len(tests))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk} FROM (SELECT {pk}, {title} FROM {table} WHERE {organization_id} = %s"  # noqa: S608
            f" ORDER BY {recorded_at} DESC, {pk} DESC LIMIT %s) WHERE {hit} LIMIT %s",
            (
                organization,
                WALK,
                *(f"%{connection.ops.prep_for_like_query(word)}%" for word in likes),
                *("(?i)" + pattern for _, pattern in tests),
                ENOUGH,
            ),
        )
        return [pk for (pk,) in cursor.fetchall()]


def filter_titles(sessions: QuerySet, text: str) -> QuerySet:
    words = search_words(text)
    if not words:
        return sessions
    vendor = connections[sessions.db].vendor
    if vendor == "sqlite":
        return filter_titles_sqlite(sessions, words)
    if vendor != "postgresql":
        return with_title_tests(sessions, words)
    match = Q(title_words=SearchQuery(words_query(words), config=CONFIG, search_type="raw"))
    hits, whole = probe(sessions, words)
    ids = planned_ids(sessions.db, sessions.model, words, hits, whole)
    return (
        sessions.filter(pk__in=ids)
        if ids is not None
        else sessions.alias(title_words=TITLE_VECTOR).filter(match)
    )


def planned_ids(using: str, model, words: list[str], hits: list[int], whole: bool) -> list[int] | None:
    """The plan the probe's result (hits, whole) chooses on PostgreSQL: the ids the page keeps, or None for
    the words condition (the words index and the page's usual scan). The ORM's title search and the
    library's composed rows query (row_query.py) both follow it."""
    if whole:  # the walk read the whole selection
        return hits
    if len(hits) >= ENOUGH:
        return None
    # The words index alone, in no order: with the organization's condition the planner would add a
    # bitmap of all its rows (about 100 ms at a million) to the few rows the words have.
    ids = ids_of_words(using, model, words)
    return ids if len(ids) <= RARE else None


def ids_of_words(using: str, model, words: list[str]) -> list[int]:
    """The ids of at most RARE + 1 sessions of any organization whose titles have the words, from the words
    index. Written as SQL (0.2 ms less to compile than the ORM's): the expression must be the index's,
    TITLE_VECTOR as the ORM writes it, or PostgreSQL would compute every title's words."""
    connection = connections[using]
    meta, name = model._meta, connection.ops.quote_name
    table, pk, title = name(meta.db_table), name(meta.pk.column), name("title")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk} FROM {table} WHERE to_tsvector(%s::regconfig, COALESCE({table}.{title}, %s))"  # noqa: S608
            " @@ (to_tsquery(%s::regconfig, %s)) LIMIT %s",
            (CONFIG, "", CONFIG, words_query(words), RARE + 1),
        )
        return [pk for (pk,) in cursor.fetchall()]


def probe(sessions: QuerySet, words: list[str]) -> tuple[list[int], bool]:
    """The matching ids among the newest WALK rows of the selection, stopping at the ENOUGH-th, and whether
    those rows were the whole selection (then the ids are the whole answer).

    The walk is a subquery; the query around it keeps its matching rows and its WALK-th row (the sign
    that the selection goes on), and stops at ENOUGH of them. Rows are read and their title words
    computed only as the outer query asks for them, so common words cost about ENOUGH rows of the date
    index rather than WALK, and only the matches come back to Python.

    A word of only ASCII letters or only digits is one word of the parser ("1e5abc" is two), so a title
    that has it among its words has it as text, in any case (ILIKE lowercases as the words do): an ILIKE
    on each such word first drops the rows that cannot match, cheaper than computing their words (a
    rare title's walk at a million sessions: 0.8 -> 0.5 ms in the database).

    The tests are written as SQL around the ORM's walk, on its "title" column: built as expressions of
    the ORM they took 0.35 ms more to compile than the walk itself, as much as the database spends.
    """
    walk = (
        sessions.annotate(place=Window(RowNumber(), order_by=[F("recorded_at").desc(), F("id").desc()]))
        .order_by("-recorded_at", "-id")
        .values_list("pk", "title", "place")[:WALK]
    )
    sql, params = walk.query.sql_with_params()
    return probe_walk(sessions.db, sql, params, words)


def probe_walk(using: str, sql: str, params, words: list[str]) -> tuple[list[int], bool]:
    """probe's test of the walk `sql` (its columns "pk", "title", "place"; at most WALK rows): the ids
    it keeps and whether they are the whole selection. The library's composed rows query
    (row_query.py) writes its own walk and tests it here."""
    plain = [word for word in words if word.isascii() and (word.isalpha() or word.isdigit())]
    # The words as the index computes them (TITLE_VECTOR), matched as SearchQuery(search_type="raw") does.
    tests = ['"title" ILIKE %s'] * len(plain) + [
        "to_tsvector(%s::regconfig, COALESCE(\"title\", '')) @@ to_tsquery(%s::regconfig, %s)"
    ]
    hit = " AND ".join(tests)
    with connections[using].cursor() as cursor:
        cursor.execute(
            # OFFSET 0 keeps "tested" a subquery, so each row's words are computed once, not again for
            # the columns of the rows it returns.
            f'SELECT "pk", "title_hit", "place" FROM (SELECT "pk", "place", {hit} AS "title_hit"'  # noqa: S608
            f' FROM ({sql}) AS "walk" OFFSET 0) AS "tested" WHERE "title_hit" OR "place" = %s LIMIT %s',
            (*(f"%{word}%" for word in plain), CONFIG, CONFIG, words_query(words), *params, WALK, ENOUGH),
        )
        rows = cursor.fetchall()
    hits = [pk for pk, hit, _ in rows if hit]
    return hits, len(hits) < ENOUGH and not any(place == WALK for _, _, place in rows)


def plain_words(words: list[str]) -> list[str]:
    """The words probe_walk tests as text first (a word of only ASCII letters or only digits), likely rarest
    first (rarest_first): the first ILIKE is the one that drops the most rows."""
    return sorted(
        (word for word in words if word.isascii() and (word.isalpha() or word.isdigit())), key=rarest_first
    )


def planned_ids_sql(walk: str, table: str, pk: str, title: str, selection: str, columns: str) -> str:
    """probe_walk and planned_ids in one statement: a WITH list whose last query, "planned", has one row and
    one column, "ids": the ids the page keeps (an array), or NULL for the words condition. Its parameters
    are planned_ids_params'.

    The statement around it reads "planned" as two branches of its rows: the ids' (`= ANY` of "ids") and
    the words condition's, each gated by "ids" being NULL or not. A condition of no row is evaluated once
    before its branch runs, so only the chosen branch reads rows; and the words index is read for the rare
    words' ids only when the probe says they are rare ("found" is read only in the CASE's last arm). One
    round trip and one planning in place of three (the probe, the words' ids, the rows).

    The rare words' ids are those of the selection (its conditions, `selection`, on the table aliased `s`)
    among the at most RARE + 1 rows of any organization the words index gives (ids_of_words' rows, so the
    plan is planned_ids'): those rows are read to test the words anyway, and the page then reads only its
    own rows by their ids (20,000 sessions in each of two organizations, "session 99": 111 rows, not
    222). The conditions are tested above the words' LIMIT, on the rows of the words index alone: given
    them, the planner added the bitmap of the organization's every row to the words' few (0.7 ms at
    20,000). `columns` are the (quoted) columns the conditions test: only they are read from those rows.

    `walk` is the selection's walk (probe's: columns "pk", "title", "place"; at most WALK rows); `table`,
    `pk` and `title` are the quoted names of the sessions' table and columns: "found" writes the words
    index's own expression (ids_of_words)."""
    # The tests of probe_walk, the plain words as one array, so one text serves any number of words.
    hit = (
        '"title" ILIKE ALL(%s::text[]) AND to_tsvector(%s::regconfig, COALESCE("title", \'\'))'
        " @@ to_tsquery(%s::regconfig, %s)"
    )
    return (
        f'WITH "tested" AS MATERIALIZED (SELECT "pk", "title_hit", "place" FROM (SELECT "pk", "place",'  # noqa: S608
        f' {hit} AS "title_hit" FROM ({walk}) AS "walk" OFFSET 0) AS "tested"'
        ' WHERE "title_hit" OR "place" = %s LIMIT %s),'
        ' "probed" AS MATERIALIZED (SELECT COUNT(*) FILTER (WHERE "title_hit") AS "hits",'
        ' COALESCE(BOOL_OR("place" = %s), false) AS "more",'
        ' COALESCE(ARRAY_AGG("pk") FILTER (WHERE "title_hit"), \'{}\') AS "ids" FROM "tested"),'
        f' "found" AS MATERIALIZED (SELECT s.{pk}, ({selection}) AS "kept" FROM (SELECT {pk}, {columns}'
        f" FROM {table} WHERE to_tsvector(%s::regconfig, COALESCE({table}.{title}, %s))"
        " @@ (to_tsquery(%s::regconfig, %s)) LIMIT %s) s),"
        ' "planned" AS MATERIALIZED (SELECT CASE WHEN "hits" < %s AND NOT "more" THEN "ids"'
        ' WHEN "hits" >= %s THEN NULL'
        f" ELSE (SELECT CASE WHEN COUNT(*) <= %s"
        f' THEN COALESCE(ARRAY_AGG({pk}) FILTER (WHERE "kept"), \'{{}}\') END FROM "found")'
        ' END AS "ids" FROM "probed")'
    )


def planned_ids_params(words: list[str], selection_params: list) -> list:
    """The parameters of planned_ids_sql: the tests', the walk's (the selection's and WALK), the plan's,
    with the selection's again for the rare words' ids."""
    query = words_query(words)
    return [
        [f"%{word}%" for word in plain_words(words)],
        CONFIG,
        CONFIG,
        query,
        *selection_params,
        WALK,
        WALK,
        ENOUGH,
        WALK,
        *selection_params,
        CONFIG,
        "",
        CONFIG,
        query,
        RARE + 1,
        ENOUGH,
        ENOUGH,
        RARE,
    ]
