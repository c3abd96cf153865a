"""The profile's data stamp: a value per organization that changes with every write to what the athlete
profile shows of its sessions, their stored metrics, the organization's medians or its weekly and monthly
sums, however it is made (the sync's bulk statements, an edit, a deletion, a relinked athlete, a refresh
of the stored metrics, a cascade).

Database triggers keep it, so no write path can forget to: the profile caches what it computed under the
stamp it read first (coachportal/sessions/profile_cache.py), and a write after that read gives a new stamp.
Every insert, update and deletion of a metric row, median or period changes it; of a session, an insert,
a deletion, and an update that changes a column the profile reads (SESSION_COLUMNS): a poster frame, a
frame rate or a video link written later leaves the profiles computed.

- PostgreSQL: deferred constraint triggers, per row, which run at COMMIT: the stamp row is the last lock
  a transaction takes, held for the commit alone. A trigger per statement held it from the end of the
  statement to the commit, after the rows it wrote and before the ones it went on to write, so a sync
  batch and a coach's edit each holding a session the other wanted deadlocked (one of them aborted). The
  trigger's function bumps each organization once per transaction (a transaction-local setting marks it
  done), so a bulk statement of 10,000 rows updates the stamp row once; the new stamp comes from a
  sequence and is written in the data's own transaction, so it becomes visible when the data does, and a
  rollback takes both back (the sequence's value is never used again). A session's update counts only
  when a column the profile reads changes (the trigger's WHEN).
- SQLite: a trigger per row (it has no other), the new stamp a random 64-bit number; SQLite has one
  writer, so no ordering of locks to keep.

Django's check_constraints() (loaddata) runs pending deferred triggers early; nothing else of ours defers.
A reader inside a writing transaction sees the stamp before that transaction's bump (it comes at commit),
so code that writes and then renders a profile in one transaction must not cache it (none does).

The table has no model: nothing but the triggers writes it and profile_cache reads it with one statement.
"""

from django.db import migrations

STAMPS = "library_profilestamp"
TABLES = ("library_session", "library_sessionmetric", "library_metricmedian", "library_metricperiod")
EVENTS = ("INSERT", "UPDATE", "DELETE")
# What coachportal/sessions/profile.py reads of a session (keep in step with it).
SESSION_COLUMNS = ("organization_id", "athlete_id", "activity", "status", "recorded_at", "title")

# Identifiers only, all ours; no value is written into the SQL. At commit, per row written: the row's
# organization (both, for a session moved to another) bumped unless this transaction already bumped it.
PG_FUNCTION = """
CREATE FUNCTION library_profilestamp_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org bigint;
BEGIN
    FOREACH org IN ARRAY CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.organization_id]
        WHEN 'DELETE' THEN ARRAY[OLD.organization_id]
        ELSE ARRAY[NEW.organization_id, OLD.organization_id]
    END LOOP
        IF current_setting('library.profilestamp_' || org, true) IS DISTINCT FROM 'y' THEN
            PERFORM set_config('library.profilestamp_' || org, 'y', true);
            INSERT INTO library_profilestamp (organization_id, stamp)
            VALUES (org, nextval('library_profilestamp_seq'))
            ON CONFLICT (organization_id) DO UPDATE SET stamp = EXCLUDED.stamp;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$
"""

# A session's update: only when a column the profile reads changes.
PG_SESSION_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SESSION_COLUMNS)

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
        for table in TABLES:
            for event in EVENTS:
                when = (
                    f" WHEN ({PG_SESSION_CHANGED})" if (table, event) == ("library_session", "UPDATE") else ""
                )
                run(
                    f"CREATE CONSTRAINT TRIGGER {trigger(table, event)} AFTER {event} ON {table}"
                    f" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} EXECUTE FUNCTION {STAMPS}_bump()"
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
        run(f"DROP FUNCTION IF EXISTS {STAMPS}_bump_session_update()")  # a draft of this migration's
        run(f"DROP SEQUENCE IF EXISTS {STAMPS}_seq")
    run(f"DROP TABLE IF EXISTS {STAMPS}")


class Migration(migrations.Migration):
    dependencies = [("library", "0013_title_words_without_pending_list")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
