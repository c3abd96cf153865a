"""The library page's rows read with a statement composed once per filter shape.

Built by the ORM, the rows query (organization, visible, the filters, the sort, `.values(*ROW_FIELDS)`,
a slice) cost about 2 ms of CPU per request to construct and compile, several times what the database
spends on it (measured for issue 18's throughput work). Which filters are on and the sort decide the
statement's text; the text is written once per such shape and database from the models' own table and
column names, every value is a parameter, and each row's values go through the same field converters the
ORM applies (a datetime made aware on SQLite, the JSON of key_metrics parsed), so a row is the dict
`.values(*ROW_FIELDS)` gives.

On PostgreSQL a title search (`q`) is composed too: the probe's walk of the selection (title_search.probe)
is written once per filter shape, and the plan the probe's result chooses (title_search.planned_ids) is one
more condition: the ids kept as one array parameter, or the words condition written as the ORM writes it,
so the words index serves it; the plans are the ORM's (ORM-built, a title search cost 4.6 times the base
page at 20,000 sessions). Elsewhere (SQLite's own plan) `rows` returns None and the library uses the ORM.
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


@dataclass(frozen=True)
class Statement:
    sql: str
    converters: list[tuple[int, list, object]]  # (position, converters, expression) of columns needing them


def _column(model, field: str) -> tuple[str, object]:
    """(column, field) of a model's field."""
    found = model._meta.get_field(field)
    return found.column, found


def _selected(connection):
    """The SELECT list of ROW_FIELDS (as `.values()` names them), and each column's converters."""
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
    return ", ".join(parts), converters


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
    """A title search's condition on PostgreSQL, its plan chosen (title_search.planned_ids): "ids" keeps
    an array of ids (one parameter, whatever their number, so one text), "words" is the words condition
    as the ORM writes TITLE_VECTOR and a raw SearchQuery, the words index's own expression."""
    quote = connection.ops.quote_name
    if plan == "ids":
        pk = Session._meta.pk  # the array as the column's type (psycopg would send the narrowest that fits)
        return f"s.{quote(pk.column)} = ANY(%s::{pk.db_type(connection)}[])"
    return f"to_tsvector(%s::regconfig, COALESCE(s.{quote('title')}, %s)) @@ (to_tsquery(%s::regconfig, %s))"


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
    the title search's plan, None without one; the sort)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    filters, title, sort = shape
    selected, converters = _selected(connection)

    def col(field: str) -> str:
        return f"s.{quote(_column(Session, field)[0])}"

    conditions = _conditions(connection, filters)
    if title is not None:
        conditions.append(_title_condition(connection, title))
    order = ", ".join(
        f"{col(key.lstrip('-'))} {'DESC' if key.startswith('-') else 'ASC'}" for key in SORTS[sort]
    )
    athlete, athlete_id = quote(Athlete._meta.db_table), quote(Athlete._meta.pk.column)
    # Only the models' own table and column names are put into the text; the values are parameters.
    sql = (
        f"SELECT {selected} FROM {quote(Session._meta.db_table)} s"  # noqa: S608
        f" LEFT OUTER JOIN {athlete} a ON ({col('athlete')} = a.{athlete_id})"
        f" WHERE {' AND '.join(conditions)} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    return Statement(sql, converters)


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
    title = None
    if "q" in values:
        words = title_search.search_words(values["q"])
        if words:
            hits, whole = title_search.probe_walk(
                using, _walk(using, shape), [*params, title_search.WALK], words
            )
            ids = title_search.planned_ids(using, Session, words, hits, whole)
            title = "ids" if ids is not None else "words"
            if ids is not None:
                params.append(ids)
            else:
                config = title_search.CONFIG
                params += [config, "", config, title_search.words_query(words)]
    statement = _statement(using, (shape, title, values.get("sort") or "-date"))
    params += [limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        found = cursor.fetchall()
    return [
        dict(zip(ROW_FIELDS, prepared.converted(row, statement.converters, connection), strict=True))
        for row in found
    ]
