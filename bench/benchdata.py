"""The synthetic library the benchmarks measure: one organization's roster and sessions, loaded fast.

Call after django.setup(). Sessions go in with PostgreSQL's COPY (a million rows in minutes) or in
bulk_create batches on SQLite; every benchmark loads the same shapes, so their figures compare.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

ACTIVITIES = ["running", "jumping", "weightlifting"]
STATUSES = ["ready"] * 8 + ["processing", "failed"]
METRICS = {
    "running": {"speed": [3.1, 3.3, 3.2], "cadence": [171, 173, 172]},
    "jumping": {"jump_height": [0.41, 0.44], "rsi": [1.2, 1.3]},
    "weightlifting": {"max_bar_speed": 1.8, "max_power": 2100.0},
}
START = datetime(2025, 1, 1, tzinfo=UTC)
ATHLETES = 300
BATCH = 5000


def _copy(batch) -> None:
    from coachportal.sessions.models import Session

    fields = [f for f in Session._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'COPY "{Session._meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in batch:
            for field in fields:
                if getattr(field, "auto_now_add", False):
                    setattr(obj, field.attname, timezone.now())
            copy.write_row(
                [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
            )


def _save(batch) -> None:
    from coachportal.sessions.models import Session

    if connection.vendor == "postgresql":
        _copy(batch)
    else:
        Session.objects.bulk_create(batch)


def fill(org, sessions: int) -> None:
    """Give `org` a roster of 300 athletes and `sessions` sessions, one every 7 minutes from 2025."""
    from coachportal.athletes.models import Athlete
    from coachportal.sessions.metrics import key_metrics
    from coachportal.sessions.models import Session

    athletes = Athlete.objects.bulk_create(
        Athlete(organization=org, name=f"Athlete {i:03}", aikynetix_user_id=f"{org.name}-u{i}")
        for i in range(ATHLETES)
    )
    batch = []
    for i in range(sessions):
        activity = ACTIVITIES[i % 3]
        batch.append(
            Session(
                organization=org,
                external_id=f"{org.slug}-{i:07}",
                athlete=athletes[i % ATHLETES] if i % 7 else None,
                provider_user_id=f"{org.name}-u{i % 400}",
                provider_user_name=f"User {i % 400}",
                activity=activity,
                title=f"{activity.title()} session {i}",
                recorded_at=START + timedelta(minutes=7 * i),
                status=STATUSES[i % 10],
                metrics=METRICS[activity],
                key_metrics=key_metrics(activity, METRICS[activity]),
                raw={"title": f"{activity} {i}"},
            )
        )
        if len(batch) == BATCH:
            _save(batch)
            batch = []
    _save(batch)
