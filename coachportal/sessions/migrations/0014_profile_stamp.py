"""The profile's data stamp: a value per organization that changes with every write to what the athlete
profile shows of its sessions, their stored metrics, the organization's medians or its weekly and monthly
sums, however it is made (the sync's bulk statements, an edit, a deletion, a relinked athlete, a refresh
of the stored metrics, a cascade).

Database triggers keep it, so no write path can forget to: the profile caches what it computed under the
stamp it read first (coachportal/sessions/profile_cache.py), and a write after that read gives a new stamp.
Every insert, update and deletion of a metric row, median or period changes it; of a session, an insert,
a deletion, and an update that changes a column the profile reads (SESSION_COLUMNS): a poster frame, a
frame rate or a video link written later leaves the profiles computed.

- PostgreSQL: a trigger per statement (not per row: a bulk statement bumps once), with the statement's
  rows as a transition table; the new stamp comes from a sequence, which a rollback does not take back.
- SQLite: a trigger per row (it has no other), the new stamp a random 64-bit number.

The table has no model: nothing but the triggers writes it and profile_cache reads it with one statement.
"""

from django.db import migrations

STAMPS = "library_profilestamp"
TABLES = ("library_session", "library_sessionmetric", "library_metricmedian", "library_metricperiod")
EVENTS = ("INSERT", "UPDATE", "DELETE")
# What coachportal/sessions/profile.py reads of a session (keep in step with it, and with PG_SESSION_UPDATE).
SESSION_COLUMNS = ("organization_id", "athlete_id", "activity", "status", "recorded_at", "title")

# Identifiers only, all ours; no value is written into the SQL.
PG_FUNCTION = """
CREATE FUNCTION library_profilestamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO library_profilestamp (organization_id, stamp)
        SELECT o, nextval('library_profilestamp_seq') FROM (SELECT DISTINCT organization_id AS o FROM new_rows) d ORDER BY o
        ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO library_profilestamp (organization_id, stamp)
        SELECT o, nextval('library_profilestamp_seq') FROM (SELECT DISTINCT organization_id AS o FROM old_rows) d ORDER BY o
        ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    ELSE
        INSERT INTO library_profilestamp (organization_id, stamp)
        SELECT o, nextval('library_profilestamp_seq') FROM (
            SELECT organization_id AS o FROM new_rows UNION SELECT organization_id FROM old_rows
        ) d ORDER BY o
        ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    END IF;
    RETURN NULL;
END
$$
"""

# A session's update: only the rows whose profile columns changed.
PG_SESSION_UPDATE = """
CREATE FUNCTION library_profilestamp_bump_session_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO library_profilestamp (organization_id, stamp)
    SELECT o, nextval('library_profilestamp_seq') FROM (
        SELECT unnest(ARRAY[n.organization_id, p.organization_id]) AS o
        FROM new_rows n JOIN old_rows p ON p.id = n.id
        WHERE (n.organization_id, n.athlete_id, n.activity, n.status, n.recorded_at, n.title)
            IS DISTINCT FROM (p.organization_id, p.athlete_id, p.activity, p.status, p.recorded_at, p.title)
    ) d GROUP BY o ORDER BY o
    ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END
$$
"""

PG_REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}

SQLITE_BUMP = (
    f"INSERT INTO {STAMPS} (organization_id, stamp) VALUES ({{row}}.organization_id, random())"  # noqa: S608
    " ON CONFLICT (organization_id) DO UPDATE SET stamp = excluded.stamp;"
)
SQLITE_ROWS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
SQLITE_SESSION_CHANGED = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in SESSION_COLUMNS)


def trigger(table: str, event: str) -> str:
    return f"{STAMPS}_{table.removeprefix('library_')}_{event.lower()}"


def create(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        run(f"CREATE TABLE {STAMPS} (organization_id bigint PRIMARY KEY, stamp bigint NOT NULL)")
        run(f"CREATE SEQUENCE {STAMPS}_seq")
        run(PG_FUNCTION)
        run(PG_SESSION_UPDATE)
        for table in TABLES:
            for event in EVENTS:
                function = (
                    "bump_session_update" if (table, event) == ("library_session", "UPDATE") else "bump"
                )
                run(
                    f"CREATE TRIGGER {trigger(table, event)} AFTER {event} ON {table}"
                    f" REFERENCING {PG_REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION {STAMPS}_{function}()"
                )
    elif vendor == "sqlite":
        run(f"CREATE TABLE {STAMPS} (organization_id integer NOT NULL PRIMARY KEY, stamp integer NOT NULL)")
        for table in TABLES:
            for event in EVENTS:
                body = " ".join(SQLITE_BUMP.format(row=row) for row in SQLITE_ROWS[event])
                when = (
                    f" WHEN {SQLITE_SESSION_CHANGED}"
                    if (table, event) == ("library_session", "UPDATE")
                    else ""
                )
                run(
                    f"CREATE TRIGGER {trigger(table, event)} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END"
                )
    else:
        raise NotImplementedError(
            f"the profile stamp's triggers are written for PostgreSQL and SQLite, not {vendor}"
        )


def drop(apps, schema_editor):
    run = schema_editor.execute
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for event in EVENTS:
            run(
                f"DROP TRIGGER IF EXISTS {trigger(table, event)}"
                + (f" ON {table}" if vendor == "postgresql" else "")
            )
    if vendor == "postgresql":
        run(f"DROP FUNCTION IF EXISTS {STAMPS}_bump()")
        run(f"DROP FUNCTION IF EXISTS {STAMPS}_bump_session_update()")
        run(f"DROP SEQUENCE IF EXISTS {STAMPS}_seq")
    run(f"DROP TABLE IF EXISTS {STAMPS}")


class Migration(migrations.Migration):
    dependencies = [("library", "0013_title_words_without_pending_list")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
