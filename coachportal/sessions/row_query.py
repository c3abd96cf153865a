"""The library page's rows read with a statement composed once per filter shape.

Built by the ORM, the rows query (organization, visible, the filters, the sort, `.values(*ROW_FIELDS)`,
a slice) cost about 2 ms of CPU per request to construct and compile, several times what the database
spends on it (measured for issue 18's throughput work). Which filters are on and the sort decide the
statement's text; the text is written once per such shape and database from the models' own table and
column names, every value is a parameter, and each row's values go through the same field converters the
ORM applies (a datetime made aware on SQLite, the JSON of key_metrics parsed), so a row is the dict
`.values(*ROW_FIELDS)` gives.

On PostgreSQL a title search (`q`) is composed too, as one statement: the probe's walk of the selection
(title_search.probe, written once per filter shape), the plan its result chooses (title_search.planned_ids,
written as SQL by title_search.planned_ids_sql: the words' ids read from the words index only when the
probe finds them rare) and the rows of that plan, the ids kept or the words condition written as the ORM
writes it, so the words index serves it. Three round trips and plannings are one (ORM-built, a title
search cost 4.6 times the base page at 20,000 sessions; composed as three statements, 3.4 times; as one,
the CPU of a "session 99" page, the process's and its database backend's, went 11.2 -> 10.3 ms where the
base page's is 3.8 ms: the planning and the probe's title words are most of what remains).
Elsewhere (SQLite's own plan) `rows` returns None and the library uses the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.db import connections

from coachportal import prepared
from coachportal.athletes.models import Athlete

from . import title_search
from .forms import SORTS
from .models import Session, start_of_day
from .rows import ROW_FIELDS

# Filters written here, in the order of their conditions, then the title search ("q"); "page" and "sort"
# do not filter.
COMPOSED = ("athlete", "mine", "activity", "status", "date_from", "date_to")
TESTED = ("organization", "status", "athlete", "activity", "recorded_at")  # the columns _conditions tests


@dataclass(frozen=True)
class Statement:
    sql: str
    converters: list[tuple[int, list, object]]  # (position, converters, expression) of columns needing them


def _column(model, field: str) -> tuple[str, object]:
    """(column, field) of a model's field."""
    found = model._meta.get_field(field)
    return found.column, found


def _selected(connection):
    """The SELECT list of ROW_FIELDS (as `.values()` names them; the athlete's `a`, the session's `s`), and
    each column's converters."""
    quote = connection.ops.quote_name
    table = Session._meta.db_table
    parts, converters = [], []
    for position, name in enumerate(ROW_FIELDS):
        if name == "athlete__name":
            column, field = _column(Athlete, "name")
            parts.append(f"a.{quote(column)}")
            expression = field.get_col(Athlete._meta.db_table)
        else:
            field = Session._meta.pk if name == "pk" else Session._meta.get_field(name)
            parts.append(f"s.{quote(field.column)}")
            expression = field.get_col(table)
        found = prepared.field_converters(field, expression, connection)
        if found:
            converters.append((position, found, expression))
    return parts, converters


def _conditions(connection, filters: tuple) -> list[str]:
    """The WHERE conditions (on the sessions aliased `s`) of the organization, visible, and `filters`."""
    quote = connection.ops.quote_name

    def col(field: str) -> str:
        return f"s.{quote(_column(Session, field)[0])}"

    conditions = [f"{col('organization')} = %s", f"NOT ({col('status')} = %s)"]
    for name, count in filters:
        if name == "athlete":
            conditions.append(f"{col('athlete')} = %s")
        elif name == "mine":
            conditions.append(f"{col('athlete')} IN ({', '.join(['%s'] * count)})")
        elif name in ("activity", "status"):
            conditions.append(f"{col(name)} = %s")
        elif name == "date_from":
            conditions.append(f"{col('recorded_at')} >= %s")
        elif name == "date_to":
            conditions.append(f"{col('recorded_at')} < %s")
    return conditions


def _title_condition(connection, plan: str) -> str:
    """A title search's condition on PostgreSQL in one branch of its statement (_statement), each gated by
    the plan title_search.planned_ids_sql chose (its "planned"): "ids" keeps the ids it chose, "words" is
    the words condition as the ORM writes TITLE_VECTOR and a raw SearchQuery (the words index's own
    expression) when it chose none."""
    quote = connection.ops.quote_name
    chosen = '(SELECT "ids" FROM "planned")'
    if plan == "ids":
        pk = Session._meta.pk  # cast, or ANY would read the subquery's rows rather than the array in its row
        return f"{chosen} IS NOT NULL AND s.{quote(pk.column)} = ANY({chosen}::{pk.db_type(connection)}[])"
    title = f"COALESCE(s.{quote(_column(Session, 'title')[0])}, %s)"
    return f"{chosen} IS NULL AND to_tsvector(%s::regconfig, {title}) @@ (to_tsquery(%s::regconfig, %s))"


@lru_cache(maxsize=256)
def _walk(alias: str, filters: tuple) -> str:
    """The title search's walk (title_search.probe) of the selection `filters` give: the newest WALK rows'
    "pk", "title" and "place", as the ORM writes it; its parameters are those of the conditions, then WALK."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    pk, title = (f"s.{quote(_column(Session, field)[0])}" for field in ("id", "title"))
    order = f"s.{quote(_column(Session, 'recorded_at')[0])} DESC, {pk} DESC"
    return (
        f'SELECT {pk} AS "pk", {title} AS "title", ROW_NUMBER() OVER (ORDER BY {order}) AS "place"'  # noqa: S608
        f" FROM {quote(Session._meta.db_table)} s WHERE ({' AND '.join(_conditions(connection, filters))})"
        f" ORDER BY {order} LIMIT %s"
    )


@lru_cache(maxsize=256)
def _statement(alias: str, shape: tuple) -> Statement:
    """The statement of one shape: (the filters given, in COMPOSED's order, with how many ids "mine" has;
    whether there is a title search; the sort).

    With a title search (PostgreSQL), the plan is chosen in the statement (title_search.planned_ids_sql)
    and the rows are two branches, each with its own conditions, sort and page, of which only the chosen
    one reads rows: the planner plans each as it planned the rows query of its plan alone."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    filters, title, sort = shape
    selected, converters = _selected(connection)

    def col(field: str) -> str:
        return f"s.{quote(_column(Session, field)[0])}"

    conditions = _conditions(connection, filters)
    order = ", ".join(
        f"{col(key.lstrip('-'))} {'DESC' if key.startswith('-') else 'ASC'}" for key in SORTS[sort]
    )
    athlete, athlete_id = quote(Athlete._meta.db_table), quote(Athlete._meta.pk.column)
    sessions, name = quote(Session._meta.db_table), quote(_column(Athlete, "name")[0])

    def where(extra: list[str]) -> str:
        # Only the models' own table and column names are put into the text; the values are parameters.
        return f"WHERE {' AND '.join(conditions + extra)} ORDER BY {order} LIMIT %s OFFSET %s"

    if not title:
        joined = f"LEFT OUTER JOIN {athlete} a ON ({col('athlete')} = a.{athlete_id})"
        return Statement(f"SELECT {', '.join(selected)} FROM {sessions} s {joined} {where([])}", converters)  # noqa: S608
    planned = title_search.planned_ids_sql(
        _walk(alias, filters),
        sessions,
        quote(Session._meta.pk.column),
        quote(_column(Session, "title")[0]),
        " AND ".join(conditions),
        ", ".join(quote(_column(Session, field)[0]) for field in TESTED),
    )
    # Each branch reads the sessions' columns of the page; the rows are sorted again (a UNION ALL keeps no
    # order) and given their athlete's name by its primary key, a lookup a row: no join to plan (its
    # planner, seeing a union of unknown size, hashed all the athletes for the page's few rows).
    own = ", ".join(part for part in selected if part.startswith("s."))
    branches = " UNION ALL ".join(
        f"(SELECT {own} FROM {sessions} s {where([_title_condition(connection, plan)])})"  # noqa: S608
        for plan in ("ids", "words")
    )
    looked_up = f"(SELECT a.{name} FROM {athlete} a WHERE a.{athlete_id} = {col('athlete')})"  # noqa: S608
    columns = ", ".join(looked_up if part == f"a.{name}" else part for part in selected)
    return Statement(f"{planned} SELECT {columns} FROM ({branches}) s ORDER BY {order}", converters)  # noqa: S608


def _prep(field: str, value, connection):
    return Session._meta.get_field(field).get_db_prep_value(value, connection, prepared=False)


def rows(org, filters, *, offset: int, limit: int, using: str = "default") -> list[dict] | None:
    """The rows `filters` select of `org`'s visible sessions, in their sort, from `offset`, at most `limit`:
    the dicts of `filters.apply(...).values(*ROW_FIELDS)[offset:offset + limit]`. None when the filters
    ask for what only the ORM writes (a title search on SQLite, an empty "mine")."""
    values = filters.values
    if values.keys() - {*COMPOSED, "q", "sort", "page"}:
        return None
    if "q" in values and connections[using].vendor != "postgresql":
        return None  # SQLite's title search (filter_titles_sqlite) stays the ORM's
    mine = filters.my_athletes if "mine" in values else []
    if "mine" in values and not mine:
        return None  # read_filters drops an empty "mine"; the ORM says what an empty list means
    connection = connections[using]
    params = [org.pk, Session.Status.DELETED]
    shape = []
    for name in COMPOSED:
        if name not in values:
            continue
        value = values[name]
        if name == "athlete":
            params.append(value.pk)
        elif name == "mine":
            params.extend(int(pk) for pk in mine)
        elif name in ("activity", "status"):
            params.append(_prep(name, value, connection))
        elif name == "date_from":
            params.append(_prep("recorded_at", start_of_day(value), connection))
        elif name == "date_to":
            params.append(_prep("recorded_at", start_of_day(value + timedelta(days=1)), connection))
        shape.append((name, len(mine) if name == "mine" else 1))
    shape = tuple(shape)
    words = title_search.search_words(values.get("q", ""))
    statement = _statement(using, (shape, bool(words), values.get("sort") or "-date"))
    if words:
        config = title_search.CONFIG
        params = [
            *title_search.planned_ids_params(words, params),
            *params,
            limit,
            offset,
            *params,
            *(config, "", config, title_search.words_query(words)),
            limit,
            offset,
        ]
    else:
        params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        found = cursor.fetchall()
    return [
        dict(zip(ROW_FIELDS, prepared.converted(row, statement.converters, connection), strict=True))
        for row in found
    ]
