"""Match pages: the list, register (upload or URL), the detail page with its live status, retry."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from coachportal.organizations.access import org_view
from coachportal.organizations.models import MANAGERS
from coachportal.uploads.forms import max_upload_bytes
from coachportal.uploads.receive import HashingUploadHandler

from . import checks, display, services, sync
from .forms import MatchForm
from .models import Match

LIST_LIMIT = 100


def _match_or_404(org, pk) -> Match:
    return get_object_or_404(Match.objects.for_org(org), pk=pk)


def _receive_to_disk(view):
    """Stream the match file to a temporary file (never whole in memory) before the view reads the form.

    CSRF is checked inside (csrf_protect): the middleware would read the body with the default handlers.
    """

    @wraps(view)
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        request.upload_handlers = [HashingUploadHandler(request)]
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapped


@org_view()
@require_GET
def match_list(request, org):
    matches = list(Match.objects.for_org(org).select_related("session").newest_first()[:LIST_LIMIT])
    for match in matches:
        if not match.is_finished:
            sync.request_poll(match)
    context = {
        "org": org,
        "matches": matches,
        "can_manage": request.membership.is_manager,
        "has_key": services.has_key(org),
        "polling": any(not m.is_finished for m in matches),
    }
    if context["can_manage"]:
        context["webhook_url"] = services.webhook_url(request, org)
    if request.htmx and request.htmx.target == "match-list":
        response = render(request, "matches/list.html#match-list", context)
        return response if context["polling"] else HttpResponseStopPolling(response.content)
    return render(request, "matches/list.html", context)


@_receive_to_disk
@org_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def new_match(request, org):
    status = 200
    if request.method == "POST":
        form = MatchForm(request.POST, request.FILES, org=org)
        if form.is_valid():
            try:
                if form.cleaned_data["source"] == Match.Source.UPLOAD:
                    public_base = services.public_base(request)
                    match = services.register_upload(
                        form, org=org, actor=request.user, public_base=public_base
                    )
                else:
                    match = services.register_url(form, org=org, actor=request.user)
            except services.MatchFileRejected as rejected:
                for problem in rejected.problems:
                    form.add_error("file", problem)
            else:
                messages.success(request, f"“{match.title}” is being sent to AI on the Ball.")
                return redirect("matches:detail", org.slug, match.pk)
        status = 400
    else:
        form = MatchForm(org=org)
    context = {
        "org": org,
        "form": form,
        "has_key": services.has_key(org),
        "max_upload_mb": max_upload_bytes() // 2**20,
        "min_seconds": checks.min_seconds(),
    }
    return render(request, "matches/new.html", context, status=status)


def _detail_context(request, org, match: Match) -> dict:
    view = request.GET.get("events", display.DEFAULT_VIEW)
    if view not in display.VIEWS:
        view = display.DEFAULT_VIEW
    return {
        "org": org,
        "m": match,
        "can_manage": request.membership.is_manager,
        "tables": display.summary_tables(match.summary),
        "events": display.event_rows(match.events, view),
        "event_view": view,
        "event_views": [(key, label) for key, (label, _) in display.VIEWS.items()],
        "event_total": len(match.events or []),
        "duration": checks.clock(match.duration_seconds) if match.duration_seconds else "",
    }


@org_view()
@require_GET
def match_detail(request, org, pk):
    match = _match_or_404(org, pk)
    if not match.is_finished:
        sync.request_poll(match)
        match.refresh_from_db()
    context = _detail_context(request, org, match)
    if request.htmx and request.htmx.target == "timeline":
        return render(request, "matches/detail.html#timeline", context)
    return render(request, "matches/detail.html", context)


@org_view()
@require_GET
def match_status(request, org, pk):
    """The live status block: polled while the match is on its way, told to stop once it is finished."""
    match = _match_or_404(org, pk)
    if not match.is_finished:
        sync.request_poll(match)
        match.refresh_from_db()
    response = render(request, "matches/detail.html#status", {"org": org, "m": match})
    if match.is_finished:
        if request.GET.get("was") == "running":
            response["HX-Refresh"] = "true"  # the page grows a video, tables and a timeline
            return response
        return HttpResponseStopPolling(response.content)
    return response


@org_view(roles=MANAGERS)
@require_POST
def retry(request, org, pk):
    match = _match_or_404(org, pk)
    if services.retry_registration(match, actor=request.user):
        messages.success(request, f"“{match.title}” is being sent to AI on the Ball again.")
    else:
        messages.error(request, "This match is already registered with AI on the Ball.")
    return redirect("matches:detail", org.slug, match.pk)


@org_view(roles=MANAGERS)
@require_POST
def rotate_webhook(request, org):
    services.rotate_webhook_secret(org, actor=request.user)
    messages.success(request, "New webhook address made. Paste it in the AI on the Ball dashboard.")
    return redirect("matches:list", org.slug)
