"""The session page's read: the session, its athlete and the previous session, in one statement composed
once per database (coachportal.prepared).

Measured on the session page (issue 18, PostgreSQL, 20k sessions): the ORM built the session's query and
the previous session's in about 2 ms of CPU per request, several times what the database spends on them,
and each was a round trip of its own. The statement here is written once from the models' own table and
column names, the values passed as parameters, and its row becomes the instances the ORM gives, through
the ORM's own converters and `Model.from_db`:

- the session: `Session.objects.for_org(org).visible().select_related("athlete").get(pk=pk)`;
- the previous session: the same athlete's (or, unassigned, the same provider user's) visible session of
  the same activity just before it in the library's order, with only its id, title and recorded_at loaded
  (the ORM's rule is kept in tests/integration/test_session_page_reads.py as the reference). The
  athlete's is the latest of one probe per visible status, each bounded by the index of organization,
  athlete, activity, status, recorded_at; the provider user's only runs for a session without an athlete.
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router

from coachportal.prepared import Columns, WithRelated, fetch, field_converters, quoted

from .models import Session

_PREVIOUS_FIELDS = ("id", "title", "recorded_at")
_VISIBLE = [status for status in Session.Status.values if status != Session.Status.DELETED]


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

    # (recorded_at, id) just before s's, written so that an index ending in recorded_at bounds the walk.
    earlier = (
        f"q.{s_recorded} <= s.{s_recorded}"
        f" AND (q.{s_recorded} < s.{s_recorded} OR q.{s_id} < s.{s_id})"
        f" ORDER BY q.{s_recorded} DESC, q.{s_id} DESC LIMIT 1"
    )
    probe = f"SELECT q.{s_id} AS i, q.{s_recorded} AS r FROM {name()} q WHERE q.{s_org} = s.{s_org}"  # noqa: S608

    # The athlete's: one probe per visible status, each a bounded walk down the index of (organization,
    # athlete, activity, status, recorded_at), and the latest of the three. A "status is not deleted"
    # condition could not bound that index, so at a million sessions the walk read the athlete's whole
    # history whenever the session was the first of its activity (issue 18).
    athlete_probes = " UNION ALL ".join(
        f"SELECT i, r FROM ({probe} AND q.{s_athlete} = s.{s_athlete}"  # noqa: S608 (names only)
        f" AND q.{s_activity} = s.{s_activity} AND q.{s_status} = %s AND {earlier}) v{n}"
        for n in range(len(_VISIBLE))
    )
    by_athlete = f"(SELECT i FROM ({athlete_probes}) latest ORDER BY r DESC, i DESC LIMIT 1)"  # noqa: S608
    # Unassigned: the same provider user's, served by the (organization, provider user) index.
    by_user = (
        f"(SELECT i FROM ({probe} AND s.{s_athlete} IS NULL AND s.{s_user} <> ''"  # noqa: S608 (names only)
        f" AND q.{s_athlete} IS NULL"
        f" AND q.{s_user} = s.{s_user} AND q.{s_activity} = s.{s_activity} AND NOT (q.{s_status} = %s)"
        f" AND {earlier}) u)"
    )
    sql = (
        f"SELECT {read.columns}, {previous.sql} FROM {read.joined}"  # noqa: S608 (names only)
        f" LEFT OUTER JOIN {name()} p ON p.{s_id} = COALESCE({by_athlete}, {by_user})"
        f" WHERE s.{s_org} = %s AND s.{s_id} = %s AND NOT (s.{s_status} = %s)"
    )
    return read, previous, sql


def session_and_previous(org_id: int, pk: int) -> tuple[Session, Session | None] | None:
    """The organization's session `pk` unless deleted, its athlete read with it, and the previous session
    (None when there is none); None when there is no such session."""
    using = router.db_for_read(Session)
    read, previous_columns, sql = _statement(using)
    deleted = Session.Status.DELETED
    connection, rows = fetch(using, sql, [*_VISIBLE, deleted, org_id, pk, deleted])
    if not rows:
        return None
    [row] = rows
    session = read.instance(row, using=using, connection=connection)
    previous = None
    if row[read.width] is not None:
        previous = previous_columns.instance(row[read.width :], using=using, connection=connection)
    return session, previous
