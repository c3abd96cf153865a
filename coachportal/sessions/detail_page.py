"""The session page's parts written by Jinja2 from plain data: heading, video, key numbers, metrics.

Measured on the session page (issue 18, PostgreSQL, 20k sessions), Django's template engine spent about
half the request writing these parts around the notes panel; the Jinja2 templates (jinja2/sessions/
detail_*.html) write the same bytes several times faster. sessions/detail.html stays the Django page
around them (base.html, its partial "video" for the htmx swap, the notes panel's include).

Every value reaches the templates as text already formatted here as the Django filters formatted it
(`date:"c"`, `when`, `day`, `floatformat`, `stringformat`), and is escaped by the Jinja2 environment
exactly as Django escapes it (coachportal/jinja_env.py).
"""

from __future__ import annotations

from django.template import engines
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from coachportal.organizations.templatetags.portal import day, when

from .models import Session
from .player_parts import marker_data
from .timing import Marker


def _render(name: str, context: dict, request) -> SafeString:
    # The Jinja2 environment autoescapes: every value in the result is already escaped.
    return SafeString(engines["jinja2"].get_template(f"sessions/{name}").render(context, request))


def video_html(
    request, org_slug: str, session: Session, *, error: str, fps, markers: list[Marker], speeds: list[str]
) -> SafeString:
    """The analysed video with its player (or why there is none): the page's partial "video"."""
    data = {
        "error": error,
        "analyzed_url": session.analyzed_video_url,
        "fps": f"{fps:g}" if fps else "",
        "fps_step": floatformat(fps, "0") if fps else "",
        "markers": [marker_data(m) for m in markers],
        "speeds": speeds,
        "status": session.status,
        "original_url": session.video_url,
        "download_url": reverse("library:download_video", args=[org_slug, session.pk]),
        "generate_url": reverse("library:generate_video", args=[org_slug, session.pk]),
    }
    return _render("detail_video.html", {"v": data}, request)


def head_html(request, org_slug: str, session: Session, *, can_manage: bool) -> SafeString:
    """The breadcrumb and the heading (title, moment, athlete, activity, status, the manager's actions)."""
    if session.athlete_id:
        athlete = session.athlete.name
        athlete_url = reverse("athletes:detail", args=[org_slug, session.athlete_id])
    else:
        athlete = session.provider_user_name or session.provider_user_id or "Unknown"
        athlete_url = ""
    data = {
        "library_url": reverse("library:list", args=[org_slug]),
        "title": session.title or "(untitled)",
        "recorded_iso": date_format(template_localtime(session.recorded_at), "c"),
        "recorded": when(session.recorded_at, "long"),
        "athlete": athlete,
        "athlete_url": athlete_url,
        "activity": session.activity_label,
        "exercise": session.exercise_label if session.exercise else "",
        "status": session.status,
        "status_label": session.get_status_display(),
        "edit_url": reverse("library:edit", args=[org_slug, session.pk]) if can_manage else "",
        "delete_url": reverse("library:delete", args=[org_slug, session.pk]) if can_manage else "",
    }
    return _render("detail_head.html", {"h": data}, request)


def numbers_html(
    request, org_slug: str, session: Session, *, key_rows: list, previous: Session | None, compare_query: str
) -> SafeString:
    """The key numbers, and the link to compare with the previous session when there is one."""
    before = None
    if previous is not None:
        before = {
            "compare_url": reverse("library:compare", args=[org_slug]) + "?" + compare_query,
            "title": previous.title or "(untitled)",
            "recorded_iso": date_format(template_localtime(previous.recorded_at), "c"),
            "recorded": day(previous.recorded_at),
        }
    context = {"key_rows": key_rows, "processing": session.status == "processing", "previous": before}
    return _render("detail_numbers.html", context, request)


def metrics_html(request, session: Session, *, comments: list, metric_groups: list) -> SafeString:
    """The report comments (when there are any) and the metrics tables."""
    context = {
        "comments": comments,
        "metric_groups": metric_groups,
        "processing": session.status == "processing",
    }
    return _render("detail_metrics.html", context, request)
