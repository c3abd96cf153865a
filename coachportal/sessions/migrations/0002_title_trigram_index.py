"""On PostgreSQL, index session titles by trigrams so "title contains" searches stay fast.

`title__icontains` becomes `UPPER(title::text) LIKE UPPER('%…%')`, which no B-tree can serve; a GIN
trigram index on the same expression can. Other databases skip this. Where the pg_trgm extension
cannot be created (no privilege), the search still works, just without the index.
"""

import logging

from django.db import DatabaseError, migrations

log = logging.getLogger(__name__)

INDEX = "library_session_title_trgm"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SAVEPOINT trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON library_session "
                "USING gin ((UPPER(title::text)) gin_trgm_ops)"
            )
            cursor.execute("RELEASE SAVEPOINT trgm")
    except DatabaseError as error:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
        log.warning("Skipping the trigram index on session titles: %s", error)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
