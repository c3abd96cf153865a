"""Compare two to four sessions of one activity: which ones (validated from the query), their videos'
offsets, and the key metrics with differences against the first session, all from the catalogue."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connections, router
from django.http import QueryDict
from django.template import engines
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from coachportal.converters import CanonicalIdConverter
from coachportal.prepared import WithRelated, fetch, quoted

from . import catalogue
from .models import Activity, Session
from .player_parts import marker_data

MIN_SESSIONS, MAX_SESSIONS = 2, 4
MAX_OFFSET = 3600.0  # seconds; a video is not an hour longer than the one it is aligned with

CHOOSE = "Choose two to four sessions to compare: tick them in the library, or use “Compare with previous”."
TOO_FEW = "Only one session was chosen; a comparison needs at least two."
TOO_MANY = "At most four sessions can be compared at once; the first four are shown."
NOT_AN_ID = "“{value}” is not a session number, so it was left out."
REPEATED = "Session {pk} was chosen twice; it is shown once."
BAD_OFFSET = "The offset “{value}” is not a number of seconds, so that video starts unshifted."
MIXED = (
    "These sessions are of different activities ({activities}), and their metrics cannot be compared. "
    "Choose sessions of one activity."
)
_ID = re.compile(CanonicalIdConverter.regex)


@dataclass
class Selection:
    """The sessions asked for (ids in order, the first is the base) and each video's offset in seconds."""

    ids: list[int] = field(default_factory=list)
    offsets: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    given: bool = False

    @property
    def enough(self) -> bool:
        return len(self.ids) >= MIN_SESSIONS


def _offset(value: str | None, notes: list[str]) -> float:
    if value is None or not value.strip():
        return 0.0
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > MAX_OFFSET:
        notes.append(BAD_OFFSET.format(value=value[:40]))
        return 0.0
    return round(number, 3)


def read_selection(query: QueryDict) -> Selection:
    """Read `s` (session ids) and `o` (their offsets, in the same order) from the query string."""
    raw_ids, raw_offsets = query.getlist("s"), query.getlist("o")
    selection = Selection(given=bool(raw_ids))
    for index, value in enumerate(raw_ids):
        value = value.strip()
        if not _ID.fullmatch(value):
            selection.notes.append(NOT_AN_ID.format(value=value[:40]))
            continue
        pk = int(value)
        if pk in selection.ids:
            selection.notes.append(REPEATED.format(pk=pk))
            continue
        selection.ids.append(pk)
        selection.offsets.append(
            _offset(raw_offsets[index] if index < len(raw_offsets) else None, selection.notes)
        )
    if len(selection.ids) > MAX_SESSIONS:
        selection.notes.append(TOO_MANY)
        del selection.ids[MAX_SESSIONS:], selection.offsets[MAX_SESSIONS:]
    if len(selection.ids) == 1:
        selection.notes.append(TOO_FEW)
    return selection


@lru_cache(maxsize=8)
def _chosen_statement(using: str, count: int) -> tuple[WithRelated, str]:
    """`count` sessions of one organization by id, deleted ones left out, each with its athlete: what
    `Session.objects.for_org(org).visible().select_related("athlete").filter(pk__in=ids)` reads, composed
    once per number of sessions (coachportal.prepared; built by the ORM, its construction cost more CPU
    than the query)."""
    connection = connections[using]
    read = WithRelated.of(Session, "athlete", connection, aliases=("s", "a"))

    def s(field: str) -> str:
        return "s." + quoted(connection, Session, field)

    sql = (
        f"SELECT {read.columns} FROM {read.joined}"  # noqa: S608 (names only)
        f" WHERE {s('organization')} = %s AND NOT ({s('status')} = %s)"
        f" AND {s('id')} IN ({', '.join(['%s'] * count)})"
    )
    return read, sql


def chosen_sessions(org, ids: list[int]) -> dict[int, Session]:
    """The organization's visible sessions among `ids` (distinct), with their athletes, by id; an id that is
    another organization's, deleted or unknown is missing."""
    if not ids:
        return {}
    using = router.db_for_read(Session)
    read, sql = _chosen_statement(using, len(ids))
    connection, rows = fetch(using, sql, [org.pk, Session.Status.DELETED.value, *ids])
    found = {}
    for row in rows:
        chosen = read.instance(row, using=using, connection=connection)
        found[chosen.pk] = chosen
    return found


def compare_query(ids: list[int], offsets: list[float] | None = None) -> str:
    """The compare page's query string for these sessions (and offsets, left out when all are zero)."""
    query = QueryDict(mutable=True)
    offsets = offsets or []
    shifted = any(offsets)
    for index, pk in enumerate(ids):
        query.appendlist("s", str(pk))
        if shifted:
            query.appendlist("o", f"{offsets[index] if index < len(offsets) else 0:g}")
    return query.urlencode()


def mixed_activities(sessions: list[Session]) -> str:
    """The refusal for sessions of different activities, or "" when they share one."""
    activities = list(dict.fromkeys(s.activity for s in sessions))
    if len(activities) < 2:
        return ""
    return MIXED.format(activities=", ".join(Activity.label_for(a) for a in activities))


# The key metrics table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    heading: str  # the session's title, which labels the cell where the table is stacked on a phone
    value: str  # formatted with its unit, "" when the session has no value
    summary: str  # "Jump height (best of 4)": how the session's values were summarised
    change: str = ""  # "+2.1 cm (+4.3%)" against the first session, from the catalogue
    tone: str = ""  # better | worse | same | neutral (the CSS class; the word is shown too)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    direction: str
    cells: list[Cell]


DIRECTION_WORDS = {catalogue.HIGHER: "higher is better", catalogue.LOWER: "lower is better"}


def _tone(metric: catalogue.Metric, diff: catalogue.Difference) -> str:
    if metric.direction == catalogue.NEUTRAL:
        return "neutral"
    if diff.better is None:
        return "same"
    return "better" if diff.better else "worse"


def metric_rows(activity: str, sessions: list[Session], *, mass_unit: str = catalogue.KG) -> list[Row]:
    """One row per key metric of the activity; each session's value and its change against the first."""
    rows = []
    for metric in catalogue.key_metrics(activity):
        cells, base = [], None
        for index, session in enumerate(sessions):
            summary = catalogue.summarise(metric, (session.metrics or {}).get(metric.key))
            value = metric.headline(summary) if summary.n else None
            heading = session.title or "(untitled)"
            if value is None:
                cells.append(Cell(heading, "", ""))
                continue
            shown = metric.format(value, mass_unit=mass_unit)
            cell = Cell(heading, shown, metric.summary_label(summary.n))
            if index == 0:
                base = value
            elif base is not None:
                diff = catalogue.difference(metric, base, value, mass_unit=mass_unit)
                if diff is not None:
                    change = metric.format_difference(diff, mass_unit=mass_unit)
                    cell = Cell(heading, shown, cell.summary, change, _tone(metric, diff))
            cells.append(cell)
        if any(c.value for c in cells):
            rows.append(Row(metric.key, metric.label, DIRECTION_WORDS.get(metric.direction, ""), cells))
    return rows


# The page's fragments ------------------------------------------------------------------------------------
# The videos and the key metrics table are written by Jinja2 templates (jinja2/sessions/compare_videos.html,
# compare_table.html; why: coachportal/jinja_env.py) from plain data, formatted here as Django's filters in
# sessions/compare.html wrote them.

VIDEOS_TEMPLATE = "sessions/compare_videos.html"
TABLE_TEMPLATE = "sessions/compare_table.html"


def video_cards(videos: list[dict], *, org_slug: str) -> list[dict]:
    """Each compared video (the view's dicts: dom_id, s, offset, fps, error, markers) as template data."""
    cards = []
    for v in videos:
        session, fps = v["s"], v["fps"]
        recorded = template_localtime(session.recorded_at)
        cards.append(
            {
                "dom_id": v["dom_id"],
                "pk": session.pk,
                "offset": f"{v['offset']:g}",
                "fps": f"{fps:g}" if fps else "",
                "fps_shown": floatformat(fps, "-2") if fps else "",
                "error": v["error"],
                "video_url": session.analyzed_video_url,
                "processing": session.status == "processing",
                "title": session.title,
                "detail_url": reverse("library:detail", args=[org_slug, session.pk]),
                "athlete": session.athlete_display,
                "recorded_iso": date_format(recorded, "c"),
                "recorded": date_format(recorded, "j M Y"),
                "markers": [marker_data(m) for m in v["markers"]],
            }
        )
    return cards


def render_fragments(cards: list[dict], rows: list[Row]) -> tuple[SafeString, SafeString]:
    """The videos' figures and the key metrics table (when there are rows), as HTML."""
    videos_html = engines["jinja2"].get_template(VIDEOS_TEMPLATE).render({"videos": cards})
    # The Jinja2 environment autoescapes: every value in them is already escaped.
    return SafeString(videos_html), _table(cards, rows) if rows else SafeString("")


def table_html(sessions: list, rows: list[Row]) -> SafeString:
    """The key metrics table of compared sessions as HTML: a shared comparison's (public pages, sharing/)."""
    heads = [
        {"title": session.title, "recorded": date_format(template_localtime(session.recorded_at), "j M Y")}
        for session in sessions
    ]
    return _table(heads, rows)


def _table(heads: list[dict], rows: list[Row]) -> SafeString:
    """The table of `rows` under headings of the sessions' titles and dates (dicts: title, recorded)."""
    return SafeString(engines["jinja2"].get_template(TABLE_TEMPLATE).render({"videos": heads, "rows": rows}))
