"""On PostgreSQL, index the words of session titles for the title search (sessions/title_search.py).

The GIN index is built from the very expression the search filters on, so the planner can use it. The
trigram index of migration 0002 served the old "title contains" search, which nothing runs any more:
drop it so writes stop paying for it (going back builds it again). Other databases skip both steps.
"""

from importlib import import_module

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from coachportal.sessions.title_search import TITLE_VECTOR

INDEX = "library_session_title_words"
trigram = import_module("coachportal.sessions.migrations.0002_title_trigram_index")


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("library", "Session"), GinIndex(TITLE_VECTOR, name=INDEX))
    trigram.drop_index(apps, schema_editor)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("library", "Session"), GinIndex(TITLE_VECTOR, name=INDEX))
    trigram.add_index(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("library", "0010_metric_median")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
