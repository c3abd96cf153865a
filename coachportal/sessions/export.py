"""CSV export of the library: one writer for the streamed download and the background file.

Small exports stream straight to the browser. Larger ones would outlive the web worker's timeout
(gunicorn kills the worker after the 200 is sent, and the file would end silently truncated), so they
are written to storage by a task and downloaded from there.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils import timezone

from coachportal.csvsafe import safe_row

from . import catalogue, metrics
from .models import Activity

HEADER = [
    "Date ({zone})",
    "Athlete",
    "Provider user id",
    "Provider user name",
    "Activity",
    "Exercise",
    "Title",
    "Status",
    "Session id",
]
FIELDS = (
    "recorded_at",
    "athlete__name",
    "provider_user_id",
    "provider_user_name",
    "activity",
    "exercise",
    "title",
    "status",
    "external_id",
    "metrics",
    "id",
)
CHUNK_ROWS = 2000  # rows fetched per database round trip: memory stays flat at any size


@dataclass(frozen=True)
class ExtraColumn:
    """A column a feature built on the library adds to the export (the library never imports them).

    `values_for(session_ids)` answers {session id: cell text} for one chunk of rows: one query per chunk.
    """

    header: str
    values_for: Callable[[list[int]], dict[int, str]]


EXTRA_COLUMNS: list[ExtraColumn] = []


def register_column(header: str, values_for: Callable[[list[int]], dict[int, str]]) -> None:
    """Add a column after the library's own; features call this from their AppConfig.ready()."""
    if all(c.header != header for c in EXTRA_COLUMNS):
        EXTRA_COLUMNS.append(ExtraColumn(header, values_for))


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def activities_in(sessions, chosen: str | None) -> list[str]:
    """The activities whose metric columns the export needs."""
    if chosen:
        return [chosen]
    return [a for a in Activity.values if sessions.filter(activity=a).exists()]


def csv_rows(sessions, activities: list[str], *, mass_unit: str = catalogue.KG) -> Iterator[list]:
    """The header, then one list of cells per session: each metric's session value (best or mean, as
    its header says) in the catalogue's display unit.

    Dates are in the time zone active now (the reader's), named in the header; it is read here, not
    inside the generator, because a streamed response is written after the request's zone is reset.
    """
    return _rows(sessions, activities, timezone.get_current_timezone(), mass_unit)


def _rows(sessions, activities: list[str], zone, mass_unit: str) -> Iterator[list]:
    columns = metrics.export_columns(activities)
    known = {key for key, _ in columns}
    header = [HEADER[0].format(zone=getattr(zone, "key", str(zone))), *HEADER[1:]]
    extras = list(EXTRA_COLUMNS)
    yield [
        *header,
        *[m.column_header(mass_unit=mass_unit) for _, m in columns],
        "Other metrics",
        *[c.header for c in extras],
    ]
    rows = sessions.values_list(*FIELDS).iterator(chunk_size=CHUNK_ROWS)
    for chunk in _chunks(rows, CHUNK_ROWS):
        ids = [row[-1] for row in chunk]
        extra_cells = [column.values_for(ids) for column in extras]
        for when, athlete, uid, uname, activity, exercise, title, status, ext, values, pk in chunk:
            values = values if isinstance(values, dict) else {}
            cells = [
                m.export_value(m.headline(catalogue.summarise(m, values.get(key))), mass_unit=mass_unit)
                for key, m in columns
            ]
            other = {k: v for k, v in values.items() if k not in known}
            yield safe_row(
                [
                    when.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    athlete or "",
                    uid,
                    uname,
                    Activity.label_for(activity),
                    exercise,
                    title,
                    status,
                    ext,
                    *["" if c is None else c for c in cells],
                    json.dumps(other, separators=(",", ":")) if other else "",
                    *[found.get(pk, "") for found in extra_cells],
                ]
            )


class _Echo:
    """A file-like that hands back what csv.writer writes, for streaming responses."""

    def write(self, value):
        return value


def csv_lines(rows: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)
