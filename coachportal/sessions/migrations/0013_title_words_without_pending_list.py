"""On PostgreSQL, the title words index takes new titles straight into its tree (fastupdate off).

With GIN's default fast update, new entries wait in a pending list of up to 4 MB that every search reads
whole until a vacuum merges it: measured at a million sessions, a rare title's lookup took 22 ms with the
list full and 0.3 ms without it. The library is read far more often than the sync writes titles, so the
writes pay instead. The list already there is merged now. Other databases have no such index.
"""

from django.db import migrations

INDEX = "library_session_title_words"


def no_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} SET (fastupdate = off)")
    schema_editor.execute(f"SELECT gin_clean_pending_list('{INDEX}'::regclass)")


def default_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER INDEX {INDEX} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("library", "0012_metric_period")]

    operations = [migrations.RunPython(no_pending_list, default_pending_list, elidable=False)]
