"""The sessions library: list and filters, one row, detail with the analysed video, edit, delete, export."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from coachportal.athletes.models import Athlete
from coachportal.organizations.access import org_view
from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.organizations.nav import org_urls

from . import (
    catalogue,
    detail_page,
    export,
    export_jobs,
    followers,
    job_pages,
    metrics,
    page_reads,
    player_parts,
    profile,
    profile_cache,
    row_pages,
    row_query,
    services,
    thumbnails,
    timing,
)
from . import compare as comparing
from .forms import PAGE_SIZE, SessionEditForm, read_filters
from .models import Activity, Session, SessionExport
from .page_state import library_state
from .rows import ROW_FIELDS, ShownRows, day_text, library_rows, row_values
from .schedule import request_sync, sync_if_stale
from .templatetags.profile_trends import render_trends

SPEEDS = ["0.25", "0.5", "0.75", "1", "1.25", "1.5", "2"]


def _session_or_404(org, pk) -> Session:
    return get_object_or_404(Session.objects.for_org(org).visible().select_related("athlete"), pk=pk)


def _match_redirect(org, session: Session):
    """Rows a feature owns have their page there (a match: video, summary, events); the row leads there."""
    page = row_pages.page_for(org, session)
    return redirect(page) if page is not None else None


def _sync_context(org, request) -> dict:
    page = library_state(org, request.membership)
    state, has_key = page.sync, page.has_key
    busy = state.claimed_at is not None or bool(
        state.requested_at and (state.last_attempt_at is None or state.requested_at > state.last_attempt_at)
    )
    return {
        "sync": state,
        "has_key": has_key,
        "sync_busy": busy and has_key,
        "roster_stamp": page.roster_stamp,  # keys the kept filter form (library.html) and roster names
        "show_mine": page.assigned,  # "My athletes only" for a coach with athletes assigned
    }


def _library(request, org, *, athlete=None, template="sessions/library.html"):
    query = request.GET.copy()
    if athlete is not None:
        query["athlete"] = str(athlete.pk)
    filters = read_filters(query, org=org, membership=request.membership)
    page = filters.page
    # One query: fetch a row more than a page to know whether there is a next page (no COUNT over the org).
    # Composed once per filter shape (row_query.py); the ORM's where it is not (SQLite's title search).
    rows = row_query.rows(org, filters, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
    if rows is None:
        sessions = filters.apply(Session.objects.for_org(org).visible()).values(*ROW_FIELDS)
        rows = list(sessions[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = ShownRows(org, rows[:PAGE_SIZE])  # built when written: the results' cache may have them
    notes = list(filters.ignored)
    if not rows and page > 1:
        notes.append(f"There is no page {page} for these filters.")
    results_only = bool(
        request.htmx and not request.htmx.history_restore_request and request.htmx.target == "results"
    )
    context = {
        "org": org,
        "filters": filters,
        "form": filters.form,
        "rows": rows,
        "page": page,
        "has_next": has_next,
        "next_query": filters.query(page=page + 1) if has_next else "",
        "prev_query": filters.query(page=page - 1) if page > 1 else None,
        "notes": notes,
        "athlete": athlete,
        "export_query": filters.query(page=None),
        "sort_links": {
            "date": filters.query(
                sort="date" if (filters.values.get("sort") or "-date") == "-date" else "-date", page=None
            ),
            "title": filters.query(
                sort="-title" if filters.values.get("sort") == "title" else "title", page=None
            ),
        },
        "current_sort": filters.values.get("sort") or "-date",
        "can_manage": request.membership.may_manage(),
        "list_url": request.path,
        "presets": filters.presets(timezone.localdate()),
        "filters_open": bool(filters.ignored),  # a dropped filter is explained next to the form
        "oob": results_only,  # the filter count and presets outside #results follow the new filters
        "compare_url": org_urls(org.slug)["compare"],
        "latest": None,
        "widen": [],
        **_sync_context(org, request),
    }
    if not rows and page == 1 and filters.active:
        context["latest"] = _latest_outside_dates(org, filters, athlete)
        context["widen"] = _widen_links(filters, on_athlete_page=athlete is not None)
    if not context["sync_busy"] and context["has_key"]:  # without a key there is nothing to sync
        context["sync_busy"] = sync_if_stale(org, context["sync"], has_key=True)
    if results_only:
        response = render(request, f"{template}#results", context)
        # Push the tidy form of the query (no empty fields, nothing that was ignored), so a bookmark is clean.
        query = filters.query(athlete=None) if athlete is not None else filters.query()
        response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")
        return response
    return render(request, template, context)


WIDEN = [
    ("athlete", "any athlete"),
    ("mine", "every coach's athletes"),
    ("activity", "any activity"),
    ("status", "any status"),
    ("date_from", "any date"),
    ("q", "any title"),
]


def _widen_links(filters, *, on_athlete_page: bool) -> list[dict]:
    """One link per active filter that drops it (both dates go together), for an empty result."""
    values = filters.values
    links = []
    for name, label in WIDEN:
        if name == "athlete" and on_athlete_page:
            continue
        if name == "date_from":
            if "date_from" in values or "date_to" in values:
                links.append(
                    {"label": label, "query": filters.query(date_from=None, date_to=None, page=None)}
                )
        elif name in values:
            links.append({"label": label, "query": filters.query(**{name: None}, page=None)})
    return links


def _latest_outside_dates(org, filters, athlete) -> dict | None:
    """When a date range hides everything: the newest session that the other filters let through.

    One query, served by the (organization, athlete | activity | status, -recorded_at) indexes.
    """
    values = filters.values
    if "date_from" not in values and "date_to" not in values:
        return None
    undated_query = QueryDict(filters.query(date_from=None, date_to=None, page=None))
    undated = read_filters(undated_query, org=org, membership=filters.membership)
    when = (
        undated.apply(Session.objects.for_org(org).visible())
        .order_by("-recorded_at", "-id")
        .values_list("recorded_at", flat=True)
        .first()
    )
    who = athlete or values.get("athlete")
    subject = f"{who.name}\N{RIGHT SINGLE QUOTATION MARK}s latest" if who else "The latest"
    what = f"{Activity.label_for(values['activity']).lower()} session" if "activity" in values else "session"
    if values.keys() & {"status", "q"}:
        what += " matching the other filters"
    if when is None:
        return {"text": "Nothing matches the other filters at any date either."}
    day = timezone.localtime(when).date()
    start = day.replace(day=1)
    return {
        "text": f"{subject} {what} is {day_text(day)}.",
        "query": filters.query(date_from=start.isoformat(), date_to=None, page=None),
        "from_text": day_text(start),
    }


@org_view()
def session_list(request, org):
    return _library(request, org)


@org_view()
def athlete_sessions(request, org, athlete_id):
    """The old per-athlete library: the athlete's profile has taken its place."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk, permanent=True)


@org_view()
def athlete_profile(request, org, athlete_id):
    """The athlete: who they are, their trends per activity, personal bests and latest changes."""
    athlete = get_object_or_404(
        profile_cache.with_stamp(Athlete.objects, org), pk=athlete_id, organization=org
    )
    date_range, form = profile.read_range(request.GET, profile.today())
    prefix = reverse("library:list", args=[org.slug])
    library_url = f"{prefix}?athlete={athlete.pk}"
    trends = profile_cache.computed(
        org, athlete, date_range, lambda: _profile_trends(org, athlete, date_range, prefix, library_url)
    )
    latest = trends["latest"]
    context = {
        "org": org,
        "athlete": athlete,
        "counts": trends["counts"],
        "session_count": trends["session_count"],
        "last_session": Session(id=latest[0], activity=latest[1], recorded_at=latest[2]) if latest else None,
        "last_session_date": trends["last_session_date"],
        "compare_url": trends["compare_url"],
        "sections": trends["sections"],
        "trends_html": trends["trends_html"],
        "body_mass": catalogue.metric("mass").format(athlete.weight, mass_unit=org.mass_unit),
        "range": date_range,
        "range_form": form,
        "presets": [(key, label, f"?range={key}") for key, label in profile.RANGES],
        "library_url": library_url,
        "session_url_prefix": prefix,
    }
    return render(request, "sessions/profile.html", context)


def _profile_trends(org, athlete, date_range, prefix: str, library_url: str) -> dict:
    """What the profile computes from the athlete's sessions (kept by profile_cache): the counts, the newest
    session, the Compare link and the trends' sections, written."""
    found = profile.facts(org, athlete, date_range)
    counts, latest = found.counts, found.latest
    session_url = f"{prefix}{{}}/".format
    sections = [
        profile.present(
            trend,
            mass_unit=org.mass_unit,
            session_url=session_url,
            library_url=library_url,
            date_range=date_range,
        )
        for trend in profile.trends(org, athlete, date_range, found)
    ]
    compare = next((s for s in sections if s["latest"] == latest and s["previous"]), None) if latest else None
    return {
        "counts": [(Activity.label_for(a), n) for a, n in counts],
        "session_count": sum(n for _, n in counts),
        "latest": (latest.pk, latest.activity, latest.recorded_at) if latest else None,
        "last_session_date": profile.day_text(latest.recorded_at) if latest else "",
        "compare_url": (
            f"/o/{org.slug}/compare/?s={compare['latest'].pk}&s={compare['previous'].pk}" if compare else ""
        ),
        "sections": bool(sections),
        "trends_html": render_trends(sections, org_slug=org.slug, session_url_prefix=prefix)
        if sections
        else "",
    }


@org_view()
def session_row(request, org, pk):
    """One library row; a processing row polls it and is told to stop once the session is done."""
    session = get_object_or_404(Session.objects.for_org(org).select_related("athlete"), pk=pk)
    [row] = library_rows(org, [row_values(session)])
    context = {"org": org, "s": row, "athlete": bool(request.GET.get("compact"))}
    if session.status == Session.Status.PROCESSING:
        if not followers.follow(session):  # an AI on the Ball match asks for its own next poll
            request_sync(org)  # debounced: many polling rows ask for one sync every half minute at most
        return render(request, "sessions/library.html#row", context)
    response = render(request, "sessions/library.html#row", context)
    return HttpResponseStopPolling(response.content)


@org_view()
def thumbnail(request, org, pk):
    """A session's poster frame; its name changes with every new frame, so browsers may keep it."""
    session = get_object_or_404(Session.objects.for_org(org).exclude(thumbnail=""), pk=pk)
    try:
        handle = default_storage.open(session.thumbnail)
    except FileNotFoundError:
        raise Http404("The poster frame is gone.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=2592000, immutable"  # the URL carries the file name
    return response


@org_view()
def sync_status(request, org):
    context = {"org": org, **_sync_context(org, request)}
    response = render(request, "sessions/library.html#sync-status", context)
    if request.GET.get("was") == "busy" and not context["sync_busy"]:
        response["HX-Trigger"] = "library-synced"  # the results reload with their own filters
    return response


@org_view()
@require_POST
def refresh(request, org):
    """Queue a full sync now (the Refresh button)."""
    if not ProviderCredential.objects.for_org(org, Provider.AIKYNETIX).exists():
        messages.error(request, services.NO_KEY)
        return redirect("library:list", org_slug=org.slug)
    request_sync(org, full=True, force=True)
    if request.htmx:
        return render(
            request, "sessions/library.html#sync-status", {"org": org, **_sync_context(org, request)}
        )
    messages.success(request, "Sync requested: new sessions will show in a moment.")
    return redirect("library:list", org_slug=org.slug)


@org_view()
def session_detail(request, org, pk):
    # _session_or_404's read and the previous session's, in one statement composed once (issue 18).
    if (found := page_reads.session_and_previous(org.pk, pk)) is None:
        raise Http404("No Session matches the given query.")  # get_object_or_404's words
    session, previous = found
    if (to_match := _match_redirect(org, session)) is not None:
        return to_match
    video_error = _fresh_video(session)
    fps = services.frame_rate_for(session)
    markers = timing.markers(session.activity, session.raw, session.metrics, fps)
    # The parts around the notes panel are written by Jinja2 from plain data (detail_page; issue 18).
    return render(
        request,
        "sessions/detail.html",
        {
            "org": org,
            "s": session,
            "head_html": detail_page.head_html(
                request, org.slug, session, can_manage=request.membership.may_manage()
            ),
            "video_html": detail_page.video_html(
                request, org.slug, session, error=video_error, fps=fps, markers=markers, speeds=SPEEDS
            ),
            "numbers_html": detail_page.numbers_html(
                request,
                org.slug,
                session,
                key_rows=comparing.metric_rows(session.activity, [session], mass_unit=org.mass_unit),
                previous=previous,
                compare_query=comparing.compare_query([previous.pk, session.pk]) if previous else "",
            ),
            "metrics_html": detail_page.metrics_html(
                request,
                session,
                comments=metrics.report_comments(session.report_comments),
                metric_groups=metrics.metric_groups(
                    session.activity, session.metrics, mass_unit=org.mass_unit
                ),
            ),
        },
    )


def _fresh_video(session: Session) -> str:
    """Renew an expiring analysed-video link; return why that failed, or ""."""
    if session.analyzed_video_needs_refresh():
        try:
            services.refresh_analyzed_video_url(session)
        except services.ProviderActionFailed as exc:
            return exc.message
    return ""


@org_view()
def compare(request, org):
    """Two to four sessions of one activity: videos played in sync, key metrics against the first."""
    selection = comparing.read_selection(request.GET)
    sessions: list[Session] = []
    if selection.ids:
        by_id = comparing.chosen_sessions(org, selection.ids)
        if len(by_id) != len(selection.ids):
            raise Http404("No such session.")  # another organization's id reads as a missing one
        sessions = [by_id[pk] for pk in selection.ids]
    refusal = comparing.mixed_activities(sessions)
    videos, rows = [], []
    if selection.enough and not refusal:
        for number, (session, offset) in enumerate(zip(sessions, selection.offsets, strict=True), start=1):
            error = _fresh_video(session)
            fps = services.frame_rate_for(session)
            videos.append(
                {
                    "dom_id": f"compare-video-{number}",
                    "s": session,
                    "offset": offset,
                    "fps": fps,
                    "error": error,
                    "markers": timing.markers(session.activity, session.raw, session.metrics, fps),
                }
            )
        rows = comparing.metric_rows(sessions[0].activity, sessions, mass_unit=org.mass_unit)
    cards = comparing.video_cards(videos, org_slug=org.slug)
    videos_html, table_html = comparing.render_fragments(cards, rows)
    context = {
        "org": org,
        "selection": selection,
        "sessions": sessions,
        "refusal": refusal,
        "videos": videos,
        "rows": rows,
        "videos_html": videos_html,
        "table_html": table_html,
        "player_keys_html": player_parts.keys_html(ab=False),
        "speeds": SPEEDS,
        "choose": comparing.CHOOSE,
    }
    status = 400 if refusal or (selection.given and not selection.enough) else 200
    return render(request, "sessions/compare.html", context, status=status)


@org_view()
@require_POST
def generate_video(request, org, pk):
    session = _session_or_404(org, pk)
    video_error = ""
    if session.status == Session.Status.FAILED:
        video_error = "The analysis failed, so there is nothing to make a video from. Upload the video again."
    else:
        # A session still processing may ask too: the provider then generates the video at once (seed 000).
        try:
            services.generate_analyzed_video(session, actor=request.user)
        except services.ProviderActionFailed as exc:
            video_error = exc.message
        else:
            thumbnails.queue_for_new_video(session)  # the library row shows its frame at once
    if not video_error:
        messages.success(request, "The analysed video is ready.")  # an htmx swap shows it at once too
    if request.htmx:
        # The page's partial, its video as the page writes it (no frame rate or markers until it is probed).
        video = detail_page.video_html(
            request, org.slug, session, error=video_error, fps=None, markers=[], speeds=SPEEDS
        )
        return render(request, "sessions/detail.html#video", {"video_html": video})
    if video_error:
        messages.error(request, video_error)
    return redirect("library:detail", org_slug=org.slug, pk=session.pk)


@org_view()
def download_video(request, org, pk):
    session = _session_or_404(org, pk)
    try:
        url = services.download_url(session)
    except services.ProviderActionFailed as exc:
        messages.error(request, exc.message)
        return redirect("library:detail", org_slug=org.slug, pk=session.pk)
    if not url:
        messages.error(request, "AiKYNETIX gave no download link for this video.")
        return redirect("library:detail", org_slug=org.slug, pk=session.pk)
    return HttpResponseRedirect(url)


@org_view(check="may_manage")
def edit_session(request, org, pk):
    session = _session_or_404(org, pk)
    if (to_match := _match_redirect(org, session)) is not None:
        return to_match
    initial = {"title": session.title, "recorded_at": timezone.localtime(session.recorded_at)}
    form = SessionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.update_session(
                session, title=form.cleaned_data["title"], recorded_at=form.cleaned_data["recorded_at"],
                actor=request.user,
            )  # fmt: skip
        except services.ProviderActionFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, outcome.message)
            return redirect("library:detail", org_slug=org.slug, pk=session.pk)
    return render(request, "sessions/edit.html", {"org": org, "s": session, "form": form})


@org_view(check="may_manage")
def delete_session(request, org, pk):
    session = _session_or_404(org, pk)
    if (to_match := _match_redirect(org, session)) is not None:
        return to_match
    error = ""
    if request.method == "POST":
        try:
            outcome = services.delete_session(session, actor=request.user)
        except services.ProviderActionFailed as exc:
            error = exc.message
        else:
            messages.success(request, outcome.message)
            return redirect("library:list", org_slug=org.slug)
    return render(request, "sessions/delete.html", {"org": org, "s": session, "error": error})


@org_view()
def export_csv(request, org):
    """Stream the filtered sessions as CSV; past EXPORT_STREAM_MAX_ROWS offer a background export."""
    query = read_filters(request.GET, org=org, membership=request.membership).query(page=None)
    sessions, activity = export_jobs.filtered_sessions(org, query, membership=request.membership)
    total = sessions.count()
    if total > settings.EXPORT_STREAM_MAX_ROWS:
        context = {"org": org, "total": total, "query": query, "limit": settings.EXPORT_STREAM_MAX_ROWS}
        return render(request, "sessions/export_large.html", context)
    lines = export.csv_lines(
        export.csv_rows(sessions, export.activities_in(sessions, activity), mass_unit=org.mass_unit)
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{org.slug}-sessions-{stamp}.csv"'
    return response


@org_view()
@require_POST
def export_start(request, org):
    """Queue a background export of the filters posted from the large-export page."""
    query = read_filters(QueryDict(request.POST.get("query", "")), org=org, membership=request.membership)
    query = query.query(page=None)
    sessions, _ = export_jobs.filtered_sessions(org, query, membership=request.membership)

    def download_url_for(job):
        return request.build_absolute_uri(reverse("library:export_download", args=[org.slug, job.pk]))

    job = services.start_export(
        org, actor=request.user, query=query, rows_total=sessions.count(), download_url_for=download_url_for
    )
    return redirect("library:export_status", org_slug=org.slug, pk=job.pk)


_export_pages = job_pages.JobPages(
    SessionExport, template="sessions/export_status.html", gone_template="sessions/export_gone.html",
    status_url_name="library:export_status", content_type="text/csv; charset=utf-8",
)  # fmt: skip
export_status = org_view()(_export_pages.progress)  # a background export; the HTMX poll only reads
export_download = org_view()(_export_pages.download)
