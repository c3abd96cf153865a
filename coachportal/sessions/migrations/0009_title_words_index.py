"""On PostgreSQL, index the words of session titles for the word-prefix search (sessions/title_search.py).

The GIN index is built from the very expression the search filters on, so the planner can use it. The
trigram index of migration 0002 served the old substring search, which nothing runs any more: drop it
so writes stop paying for it. Other databases skip both steps.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from coachportal.sessions.title_search import TITLE_VECTOR

INDEX = "library_session_title_words"
OLD_TRIGRAM_INDEX = "library_session_title_trgm"


def index(model):
    return GinIndex(TITLE_VECTOR, name=INDEX)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("library", "Session")
    schema_editor.add_index(model, index(model))
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_TRIGRAM_INDEX}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("library", "Session")
    schema_editor.remove_index(model, index(model))


class Migration(migrations.Migration):
    dependencies = [("library", "0008_session_frame_rate")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
