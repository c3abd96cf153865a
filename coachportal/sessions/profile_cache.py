"""The athlete profile's computed part (its counts, newest session and trends, as written HTML), kept in
Django's cache under the organization's data stamp.

The stamp (table library_profilestamp, migration 0014) changes with every write to the organization's
sessions, their stored metrics, its medians and its weekly and monthly sums: database triggers keep it, so
every write path (the sync's bulk statements, an edit, a deletion, a relinked athlete, a refresh of the
stored metrics) changes it, whichever process makes the write. The stamp is read before anything is
computed, so a write that lands meanwhile leaves the result under a stamp no later request reads.

Everything else the computed part depends on is in the key: the organization and athlete, the range as
resolved (its dates, which follow today), the time zone and language of the request, and what of the
organization the part shows (its mass unit, its time zone, its slug in the links).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

TIMEOUT = 600  # seconds: a stamp keeps its entries correct; the timeout only bounds what stale keys hold
STAMP_SQL = "SELECT stamp FROM library_profilestamp WHERE organization_id = %s"


def stamp(org) -> int:
    """The organization's data stamp (0 before its first write)."""
    with connection.cursor() as cursor:
        cursor.execute(STAMP_SQL, [org.pk])
        row = cursor.fetchone()
    return row[0] if row else 0


def with_stamp(athletes: models.QuerySet, org) -> models.QuerySet:
    """`athletes` each with the organization's data stamp as `profile_stamp`: read with the athlete, in the
    same statement, rather than by one more."""
    sql = f"COALESCE(({STAMP_SQL}), 0)"  # constant SQL; the organization is a parameter
    return athletes.annotate(profile_stamp=RawSQL(sql, [org.pk], output_field=models.BigIntegerField()))  # noqa: S611


def key(org, athlete, date_range, data_stamp: int) -> str:
    parts = (
        "profile",
        org.pk,
        athlete.pk,
        data_stamp,
        date_range.key,
        date_range.start,
        date_range.end,
        timezone.get_current_timezone_name(),
        translation.get_language(),
        org.mass_unit,
        org.time_zone,
        org.slug,
    )
    return ":".join(str(part) for part in parts)


def computed(org, athlete, date_range, compute: Callable[[], Any]) -> Any:
    """compute()'s result for the athlete's profile in the range: from the cache while the organization's
    data has not changed, else computed (and kept). The stamp is the athlete's `profile_stamp` when read
    with it (with_stamp), before anything of the profile is computed."""
    data_stamp = getattr(athlete, "profile_stamp", None)
    where = key(org, athlete, date_range, stamp(org) if data_stamp is None else data_stamp)
    found = cache.get(where)
    if found is None:
        found = compute()
        cache.set(where, found, TIMEOUT)
    return found
