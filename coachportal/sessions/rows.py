"""The library's rows as plain data: every text a row shows, worked out once in Python.

The template (sessions/library.html, partial `row`) writes the markup and escapes every value; nothing
here is markup. Deciding what a cell says in Python keeps the row partial free of filters and nested
conditions, which is what made per-row rendering costly.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation

from coachportal.accounts import zones
from coachportal.organizations.nav import org_urls

from .models import Activity, Session, exercise_label

DASH = "\N{EN DASH}"
STATUS_LABELS = dict(Session.Status.choices)

# What a library row reads: fetched as plain values, since building 26 model instances (and their
# athletes) cost several times the query itself.
ROW_FIELDS = (
    "pk", "athlete_id", "athlete__name", "provider_user_id", "provider_user_name", "activity", "exercise",
    "title", "recorded_at", "analyzed_video_url", "key_metrics", "status", "thumbnail",
)  # fmt: skip


class LibraryRow(dict):
    """One library row: a dict for the template (a key is the first lookup it tries), attributes for Python
    (`row.title`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def day_text(value) -> str:
    """A day as the library writes it everywhere, in entry fields too: "10 Mar 2025"."""
    return f"{value.day} {value:%b %Y}"


def _who(row: dict) -> tuple[str, str]:
    """How the athlete cell reads: (kind, text); kind is "match", "roster" or "unassigned"."""
    if row["activity"] == Activity.MATCH:
        return "match", row["provider_user_name"] or DASH
    if row["athlete_id"]:
        return "roster", row["athlete__name"]
    return "unassigned", row["provider_user_name"] or row["provider_user_id"] or "Unknown"


def row_values(session: Session) -> dict:
    """The ROW_FIELDS of a session already loaded (with its athlete), as the list query returns them."""
    values = {f: getattr(session, f) for f in ROW_FIELDS if f != "athlete__name"}
    values["athlete__name"] = session.athlete.name if session.athlete_id else None
    return values


def library_rows(org, values) -> list[LibraryRow]:
    """Give each row its links, its texts and the flags its template needs, as plain strings and booleans."""
    urls = org_urls(org.slug)  # reversed once per organization, not per render
    prefix, athletes = urls["sessions"], urls["athletes"]  # a session's page; an athlete's profile
    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    rows = []
    for v in values:
        row = LibraryRow(v)
        pk, status = row["pk"], row["status"]
        row["pk"] = str(pk)  # written three times a row: as text it skips the template's number formatting
        local = row["recorded_at"].astimezone(tz)  # timezone.localtime(), without a lookup per row
        row["recorded_iso"] = local.isoformat()
        row["recorded_text"] = zones.moment_text(local, this_year=this_year)  # "10 Mar, 09:00 CET"
        row["detail_url"] = f"{prefix}{pk}/"
        row["row_url"] = f"{prefix}{pk}/row/"
        row["athlete_url"] = f"{athletes}{row['athlete_id']}/" if row["athlete_id"] else ""
        row["athlete_kind"], row["athlete_text"] = _who(row)
        row["is_processing"] = status == Session.Status.PROCESSING
        # The file name is in the URL, so a new frame is a new URL (the response is cached as immutable).
        row["thumb_url"] = (
            f"{prefix}{pk}/thumbnail/?v={row['thumbnail'].rsplit('/', 1)[-1]}" if row["thumbnail"] else ""
        )
        row["activity_text"] = Activity.label_for(row["activity"])
        row["exercise_text"] = exercise_label(row["exercise"]) if row["exercise"] else ""
        row["title_text"] = row["title"] or "(untitled)"
        row["status_text"] = STATUS_LABELS.get(status) or status
        shown = row["key_metrics"] if isinstance(row["key_metrics"], dict) else {}
        row["metrics"] = list(shown.items())
        row["is_unassigned"] = row["athlete_kind"] == "unassigned"
        rows.append(row)
    return rows


class ShownRows(Sequence):
    """A library page's rows: the values read for them and, built when first asked for, their LibraryRows.

    `inputs()` is everything library_rows makes the rows from: the values, the organization's links (slug,
    script prefix and URLconf), the zone times are shown in, the current year in it (a year is written only
    outside it) and the language. The results' cache (templatetags/library_rows) keys the written rows on
    it, so a page found there never builds its rows (about 0.6 ms of CPU for 25)."""

    def __init__(self, org, values: list[dict]):
        self._org, self._values, self._rows = org, values, None

    def _built(self) -> list[LibraryRow]:
        if self._rows is None:
            self._rows = library_rows(self._org, self._values)
        return self._rows

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None

    def inputs(self) -> tuple | None:
        """What the rows are made of (see the class); None where the zone has no name to key it by."""
        tz = timezone.get_current_timezone()
        zone = getattr(tz, "key", None)
        if not zone:
            return None
        year = timezone.localdate(timezone=tz).year
        links = (self._org.slug, get_script_prefix(), get_urlconf())  # what org_urls reverses them with
        return (*links, zone, year, translation.get_language(), self._values)
