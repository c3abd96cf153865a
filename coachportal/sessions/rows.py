"""The library's rows, built in Python: per-row template tags dominated the page's render time.

Every piece of data that goes into markup here passes through esc(); the template escapes the rest.
"""

from __future__ import annotations

import html

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import Activity, Session, exercise_label


def esc(value) -> str:
    """Escape text for HTML (element content or a quoted attribute): the standard library's html.escape,
    which Django's escape() wraps, without the lazy-string wrapper that shows on a 25-row page."""
    return html.escape(str(value), quote=True)


THUMB_PLAY = mark_safe('<span class="play-icon" aria-hidden="true">▶</span>')
THUMB_NO_VIDEO = mark_safe('<span class="play-icon play-icon--muted" aria-hidden="true">▷</span>')
THUMB_PENDING = mark_safe('<span class="play-icon play-icon--muted" aria-hidden="true">…</span>')
STATUS_PROCESSING = mark_safe('<span aria-busy="true">Processing</span>')
STATUS_LABELS = {value: esc(label) for value, label in Session.Status.choices}
DASH = "\N{EN DASH}"
NO_METRICS = mark_safe(f'<span class="muted">{DASH}</span>')  # noqa: S308


# What a library row reads: fetched as plain values, since building 26 model instances (and their
# athletes) cost several times the query itself.
ROW_FIELDS = (
    "pk", "athlete_id", "athlete__name", "provider_user_id", "provider_user_name", "activity", "exercise",
    "title", "recorded_at", "analyzed_video_url", "key_metrics", "status",
)  # fmt: skip


class LibraryRow(dict):
    """One library row: a dict for the template (a key is the first lookup it tries), attributes for Python
    (`row.title`)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _athlete_cell(row: dict, athlete_url: str) -> str:
    if row["activity"] == Activity.MATCH:
        return f'<span title="AI on the Ball match">{esc(row["provider_user_name"] or DASH)}</span>'
    if row["athlete_id"]:
        return f'<a href="{esc(athlete_url)}">{esc(row["athlete__name"])}</a>'
    who = esc(row["provider_user_name"] or row["provider_user_id"] or "Unknown")
    return (
        '<span class="muted" title="No athlete in the roster has this AiKYNETIX user id">'
        f"{who} <small>(unassigned athlete)</small></span>"
    )


def row_values(session: Session) -> dict:
    """The ROW_FIELDS of a session already loaded (with its athlete), as the list query returns them."""
    values = {f: getattr(session, f) for f in ROW_FIELDS if f != "athlete__name"}
    values["athlete__name"] = session.athlete.name if session.athlete_id else None
    return values


def library_rows(org, values) -> list[LibraryRow]:
    """Give each row its links, its date text and the markup of its conditional cells, built in Python:
    per-row template tags (ifs, filters, the metrics loop) dominated the page. Every piece of data that
    goes into the markup below passes through esc() (SafeString is mark_safe without its lazy-string
    wrapper); the template escapes the plain strings."""
    prefix = reverse("library:list", args=[org.slug])
    athletes = reverse("athletes:list", args=[org.slug])  # an athlete's profile
    tz = timezone.get_current_timezone()
    rows = []
    for v in values:
        row = LibraryRow(v)
        pk, status = row["pk"], row["status"]
        local = row["recorded_at"].astimezone(tz)  # timezone.localtime(), without a lookup per row
        row["recorded_iso"] = local.isoformat()
        row["recorded_text"] = f"{local.day} {local:%b %Y, %H:%M}"
        row["detail_url"] = f"{prefix}{pk}/"
        row["row_url"] = f"{prefix}{pk}/row/"
        athlete_url = row["athlete_url"] = f"{athletes}{row['athlete_id']}/" if row["athlete_id"] else ""
        row["is_processing"] = processing = status == Session.Status.PROCESSING
        if status == Session.Status.READY:
            row["thumb_html"] = THUMB_PLAY if row["analyzed_video_url"] else THUMB_NO_VIDEO
        else:
            row["thumb_html"] = THUMB_PENDING
        row["athlete_html"] = SafeString(_athlete_cell(row, athlete_url))
        activity = esc(Activity.label_for(row["activity"]))
        if row["exercise"]:
            activity += f' <small class="muted">{esc(exercise_label(row["exercise"]))}</small>'
        row["activity_html"] = SafeString(activity)
        row["title_text"] = row["title"] or "(untitled)"
        row["status_html"] = (
            STATUS_PROCESSING if processing else SafeString(STATUS_LABELS.get(status) or esc(status))
        )
        shown = row["key_metrics"].items() if isinstance(row["key_metrics"], dict) else ()
        row["metrics_html"] = (
            SafeString(
                "".join(f'<span><small class="muted">{esc(k)}</small> {esc(v)}</span>' for k, v in shown)
            )
            if shown
            else NO_METRICS
        )
        rows.append(row)
    return rows
