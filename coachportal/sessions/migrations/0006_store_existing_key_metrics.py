"""Store the key metrics of the sessions synced before the SessionMetric table existed."""

from django.db import migrations

from coachportal.sessions.stored_metrics import row_values


def store(apps, schema_editor):
    Session = apps.get_model("library", "Session")
    SessionMetric = apps.get_model("library", "SessionMetric")
    rows = []
    ready = Session.objects.filter(status="ready").only(
        "id", "organization_id", "athlete_id", "activity", "metrics", "recorded_at"
    )
    for session in ready.order_by("pk").iterator(chunk_size=500):
        rows.extend(SessionMetric(**values) for values in row_values(session))
        if len(rows) >= 2000:
            SessionMetric.objects.bulk_create(rows)
            rows = []
    SessionMetric.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("library", "0005_session_metric")]

    operations = [migrations.RunPython(store, migrations.RunPython.noop)]
