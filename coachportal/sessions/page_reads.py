"""The session page's two reads, each a statement composed once per database (coachportal.prepared).

Measured on the session page (issue 18, PostgreSQL, 20k sessions): the ORM built these two queries in
about 2 ms of CPU per request, several times what the database spends on them. The statements are
written once from the models' own table and column names, the values passed as parameters, and the rows
become instances through the ORM's own converters and `Model.from_db`, so the instances are the ones
the ORM gives:

- `visible_session(org_id, pk)`: `Session.objects.for_org(org).visible().select_related("athlete")
  .filter(pk=pk).first()`;
- `previous_session(session)`: the same athlete's session of the same activity just before this one,
  with only its id, title and recording time loaded (as compare.previous_session reads it).
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router

from coachportal.athletes.models import Athlete
from coachportal.prepared import Columns, fetch, field_converters, quoted

from .models import Session

_PREVIOUS_FIELDS = ("id", "title", "recorded_at")


@cache
def _session_statement(using: str) -> tuple[Columns, Columns, str]:
    connection = connections[using]
    session, athlete = Columns.of(Session, "s", connection), Columns.of(Athlete, "a", connection)
    s_table, a_table = quoted(connection, Session), quoted(connection, Athlete)
    s_id, s_org = quoted(connection, Session, "id"), quoted(connection, Session, "organization")
    s_athlete, s_status = quoted(connection, Session, "athlete"), quoted(connection, Session, "status")
    a_id = quoted(connection, Athlete, "id")
    sql = (
        f"SELECT {session.sql}, {athlete.sql} FROM {s_table} s"  # noqa: S608 (the models' names only)
        f" LEFT OUTER JOIN {a_table} a ON a.{a_id} = s.{s_athlete}"
        f" WHERE s.{s_org} = %s AND s.{s_id} = %s AND NOT (s.{s_status} = %s)"
    )
    return session, athlete, sql


def visible_session(org_id: int, pk: int) -> Session | None:
    """The organization's session `pk` unless deleted, its athlete read with it; None when there is none."""
    using = router.db_for_read(Session)
    session_columns, athlete_columns, sql = _session_statement(using)
    connection, rows = fetch(using, sql, [org_id, pk, Session.Status.DELETED])
    if not rows:
        return None
    [row] = rows
    session = session_columns.instance(row[: session_columns.width], using=using, connection=connection)
    athlete = None
    if session.athlete_id is not None:
        athlete = athlete_columns.instance(row[session_columns.width :], using=using, connection=connection)
    Session.athlete.field.set_cached_value(session, athlete)  # as select_related leaves it
    return session


@cache
def _previous_statement(using: str) -> tuple[Columns, str, str]:
    connection = connections[using]
    meta = Session._meta
    fields = [meta.get_field(name) for name in _PREVIOUS_FIELDS]
    columns = Columns(
        Session,
        ", ".join(f"s.{connection.ops.quote_name(f.column)}" for f in fields),
        [f.attname for f in fields],
        [
            (position, found, f.get_col(meta.db_table))
            for position, f in enumerate(fields)
            if (found := field_converters(f, f.get_col(meta.db_table), connection))
        ],
    )

    def name(field=None):
        return quoted(connection, Session, field)

    s_id, s_recorded = name("id"), name("recorded_at")
    head = (
        f"SELECT {columns.sql} FROM {name()} s"  # noqa: S608 (the models' names only)
        f" WHERE s.{name('organization')} = %s AND s.{name('activity')} = %s"
        f" AND NOT (s.{name('status')} = %s)"
    )
    tail = (
        f" AND (s.{s_recorded} < %s OR (s.{s_recorded} = %s AND s.{s_id} < %s))"
        f" ORDER BY s.{s_recorded} DESC, s.{s_id} DESC LIMIT 1"
    )
    by_athlete = f"{head} AND s.{name('athlete')} = %s{tail}"
    by_provider_user = f"{head} AND s.{name('athlete')} IS NULL AND s.{name('provider_user_id')} = %s{tail}"
    return columns, by_athlete, by_provider_user


def previous_session(session: Session) -> Session | None:
    """The same athlete's (or, unassigned, the same provider user's) visible session of the same activity
    just before this one in the library's order (recorded_at, then id), with only id, title and
    recorded_at loaded; None when there is none."""
    if session.athlete_id:
        same = session.athlete_id
    elif session.provider_user_id:
        same = session.provider_user_id
    else:
        return None
    using = router.db_for_read(Session)
    columns, by_athlete, by_provider_user = _previous_statement(using)
    connection = connections[using]
    recorded = connection.ops.adapt_datetimefield_value(session.recorded_at)
    params = [session.organization_id, session.activity, Session.Status.DELETED, same]
    params += [recorded, recorded, session.pk]
    connection, rows = fetch(using, by_athlete if session.athlete_id else by_provider_user, params)
    if not rows:
        return None
    return columns.instance(rows[0], using=using, connection=connection)
