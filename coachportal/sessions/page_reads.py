"""The session page's read: the session, its athlete and the previous session, in one statement composed
once per database (coachportal.prepared).

Measured on the session page (issue 18, PostgreSQL, 20k sessions): the ORM built the session's query and
the previous session's in about 2 ms of CPU per request, several times what the database spends on them,
and each was a round trip of its own. The statement here is written once from the models' own table and
column names, the values passed as parameters, and its row becomes the instances the ORM gives, through
the ORM's own converters and `Model.from_db`:

- the session: `Session.objects.for_org(org).visible().select_related("athlete").get(pk=pk)`;
- the previous session: compare.previous_session's (the same athlete's, or, unassigned, the same provider
  user's, visible session of the same activity just before it in the library's order), with only its id,
  title and recorded_at loaded. Each of its two lookups is an equality on indexed columns (an index of
  organization, athlete, activity, status, recorded_at serves the first), the second only run for a
  session without an athlete.
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router

from coachportal.prepared import Columns, WithRelated, fetch, field_converters, quoted

from .models import Session

_PREVIOUS_FIELDS = ("id", "title", "recorded_at")


@cache
def _statement(using: str) -> tuple[WithRelated, Columns, str]:
    connection = connections[using]
    read = WithRelated.of(Session, "athlete", connection, aliases=("s", "a"))
    meta = Session._meta
    fields = [meta.get_field(name) for name in _PREVIOUS_FIELDS]
    previous = Columns(
        Session,
        ", ".join(f"p.{connection.ops.quote_name(f.column)}" for f in fields),
        [f.attname for f in fields],
        [
            (position, found, f.get_col(meta.db_table))
            for position, f in enumerate(fields)
            if (found := field_converters(f, f.get_col(meta.db_table), connection))
        ],
    )

    def name(field=None):
        return quoted(connection, Session, field)

    s_id, s_athlete, s_status, s_org = name("id"), name("athlete"), name("status"), name("organization")
    s_recorded, s_activity, s_user = name("recorded_at"), name("activity"), name("provider_user_id")

    def before(same: str) -> str:
        """The id of the visible session of the same organization and activity just before s, `same` true."""
        return (
            f"(SELECT q.{s_id} FROM {name()} q WHERE q.{s_org} = s.{s_org}"  # noqa: S608 (names only)
            f" AND q.{s_activity} = s.{s_activity} AND NOT (q.{s_status} = %s) AND {same}"
            f" AND (q.{s_recorded} < s.{s_recorded}"
            f" OR (q.{s_recorded} = s.{s_recorded} AND q.{s_id} < s.{s_id}))"
            f" ORDER BY q.{s_recorded} DESC, q.{s_id} DESC LIMIT 1)"
        )

    same_athlete = f"q.{s_athlete} = s.{s_athlete}"
    same_user = (
        f"s.{s_athlete} IS NULL AND s.{s_user} <> '' AND q.{s_athlete} IS NULL AND q.{s_user} = s.{s_user}"
    )
    sql = (
        f"SELECT {read.columns}, {previous.sql} FROM {read.joined}"  # noqa: S608 (names only)
        f" LEFT OUTER JOIN {name()} p ON p.{s_id} = COALESCE({before(same_athlete)}, {before(same_user)})"
        f" WHERE s.{s_org} = %s AND s.{s_id} = %s AND NOT (s.{s_status} = %s)"
    )
    return read, previous, sql


def session_and_previous(org_id: int, pk: int) -> tuple[Session, Session | None] | None:
    """The organization's session `pk` unless deleted, its athlete read with it, and the previous session
    (None when there is none); None when there is no such session."""
    using = router.db_for_read(Session)
    read, previous_columns, sql = _statement(using)
    deleted = Session.Status.DELETED
    connection, rows = fetch(using, sql, [deleted, deleted, org_id, pk, deleted])
    if not rows:
        return None
    [row] = rows
    session = read.instance(row, using=using, connection=connection)
    previous = None
    if row[read.width] is not None:
        previous = previous_columns.instance(row[read.width :], using=using, connection=connection)
    return session, previous
