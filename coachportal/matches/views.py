"""Match pages: the list, register (upload or URL), the detail page with its live status, retry."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from coachportal.organizations.access import org_view
from coachportal.storage import direct
from coachportal.storage.limits import max_upload_mb
from coachportal.storage.receive import receive_to_disk

from . import checks, display, services, tasks
from .forms import DirectMatchForm, MatchEditForm, MatchForm, direct_match_fields
from .models import Match

LIST_LIMIT = 100


def _match_or_404(org, pk) -> Match:
    return get_object_or_404(Match.objects.for_org(org), pk=pk)


def _site_root(request) -> str:
    return request.build_absolute_uri("/")


@org_view()
@require_GET
def match_list(request, org):
    """The list; read-only while it polls (the tasks, webhooks and the scheduler move matches on)."""
    matches = list(Match.objects.for_org(org).select_related("session").newest_first()[:LIST_LIMIT])
    context = {
        "org": org,
        "matches": matches,
        "can_manage": request.membership.may_manage(),
        "has_key": services.has_key(org),
        "polling": any(not m.is_finished for m in matches),
    }
    if context["can_manage"]:
        context["webhook_hint"] = services.webhook_hint(_site_root(request), org)
    if request.htmx and request.htmx.target == "match-list":
        response = render(request, "matches/list.html#match-list", context)
        return response if context["polling"] else HttpResponseStopPolling(response.content)
    return render(request, "matches/list.html", context)


@receive_to_disk
@org_view(check="may_manage")
@require_http_methods(["GET", "POST"])
def new_match(request, org):
    status = 200
    if request.method == "POST":
        form = MatchForm(request.POST, request.FILES, org=org)
        if form.is_valid():
            data, details = form.cleaned_data, form.match_fields()
            try:
                if data["source"] == Match.Source.UPLOAD:
                    match = services.register_upload(
                        org=org, actor=request.user, file=data["file"], details=details,
                        public_base=services.public_base(_site_root(request)),
                    )  # fmt: skip
                else:
                    match = services.register_url(
                        org=org, actor=request.user, video_url=data["video_url"], details=details
                    )
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
        "direct": direct.enabled(),
        "has_key": services.has_key(org),
        "max_upload_mb": max_upload_mb(),
        "min_seconds": checks.min_seconds(),
    }
    return render(request, "matches/new.html", context, status=status)


def _direct_errors(form) -> dict:
    """A form's errors as JSON for the register page; the file's name and size belong to the file field."""
    errors: dict[str, list[str]] = {}
    for field, messages_ in form.errors.items():
        if field == "__all__":
            continue
        target = "file" if field in ("filename", "size", "content_type") else field
        errors.setdefault(target, []).extend(messages_)
    return {"non_field_errors": list(form.non_field_errors()), "errors": errors}


@org_view(check="may_manage")
@require_POST
def presign(request, org):
    """S3: check the form without the file, choose the object key, and hand out a presigned POST."""
    if not direct.enabled():
        return JsonResponse({"non_field_errors": [direct.NO_DIRECT], "errors": {}}, status=400)
    form = DirectMatchForm(request.POST, org=org)
    if not form.is_valid():
        return JsonResponse(_direct_errors(form), status=400)
    fields = {name: value for name, value in request.POST.items() if name != "csrfmiddlewaretoken"}
    signed = services.presign_upload(
        org=org, actor=request.user, size=form.cleaned_data["size"], fields=fields
    )
    return JsonResponse(signed)


@org_view(check="may_manage")
@require_POST
def finish(request, org):
    """S3: the browser says the file is in the bucket; check it there and register the match."""
    if not direct.enabled():
        return JsonResponse({"non_field_errors": [direct.NO_DIRECT], "errors": {}}, status=400)
    try:
        match = services.finish_upload(
            token=request.POST.get("token", ""),
            org=org,
            actor=request.user,
            public_base=services.public_base(_site_root(request)),
            match_fields=lambda data: direct_match_fields(data, org=org),
        )
    except services.MatchFileRejected as rejected:
        return JsonResponse({"non_field_errors": [], "errors": {"file": rejected.problems}}, status=400)
    messages.success(request, f"“{match.title}” is being sent to AI on the Ball.")
    url = reverse("matches:detail", args=[org.slug, match.pk])
    return JsonResponse({"match": {"id": match.pk, "url": url}}, status=201)


def _detail_context(request, org, match: Match) -> dict:
    view = request.GET.get("events", display.DEFAULT_VIEW)
    if view not in display.VIEWS:
        view = display.DEFAULT_VIEW
    return {
        "org": org,
        "m": match,
        "can_manage": request.membership.may_manage(),
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
    context = _detail_context(request, org, match)
    if request.htmx and request.htmx.target == "timeline":
        return render(request, "matches/detail.html#timeline", context)
    return render(request, "matches/detail.html", context)


@org_view()
@require_GET
def match_status(request, org, pk):
    """The live status block: polled while the match is on its way, told to stop once it is finished.

    Read-only: the registration task's chain of polls, webhooks and the scheduler move the match on.
    """
    match = _match_or_404(org, pk)
    response = render(request, "matches/detail.html#status", {"org": org, "m": match})
    if match.is_finished:
        if request.GET.get("was") == "running":
            response["HX-Refresh"] = "true"  # the page grows a video, tables and a timeline
            return response
        return HttpResponseStopPolling(response.content)
    return response


@org_view()
@require_POST
def check_now(request, org, pk):
    """Ask AI on the Ball for the match's state now, instead of at the poll chain's next step."""
    match = _match_or_404(org, pk)
    if tasks.request_poll(match):  # debounced, and nothing to ask once the match is finished
        match.refresh_from_db()  # a task backend that runs at once has already polled
    if request.htmx:
        return render(request, "matches/detail.html#status", {"org": org, "m": match})
    return redirect("matches:detail", org.slug, match.pk)


@org_view(check="may_manage")
@require_POST
def retry(request, org, pk):
    match = _match_or_404(org, pk)
    if services.retry_registration(match, actor=request.user):
        messages.success(request, f"“{match.title}” is being sent to AI on the Ball again.")
    else:
        messages.error(request, "This match is already registered with AI on the Ball.")
    return redirect("matches:detail", org.slug, match.pk)


@org_view(check="may_manage")
@require_POST
def rotate_webhook(request, org):
    """Make a new webhook address and show it this once: only its hash is kept."""
    secret = services.rotate_webhook_secret(org, actor=request.user)
    context = {"org": org, "webhook_url": services.webhook_url(_site_root(request), org, secret)}
    response = render(request, "matches/webhook_created.html", context)
    response["Cache-Control"] = "no-store"
    return response


@org_view(check="may_manage")
@require_http_methods(["GET", "POST"])
def edit_match(request, org, pk):
    """Rename a match (title, teams, date): AI on the Ball first, then the portal and the library."""
    match = _match_or_404(org, pk)
    initial = {field: getattr(match, field) for field in ("title", "home_team", "away_team", "played_on")}
    form = MatchEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_match(match, actor=request.user, **form.match_fields())
        except services.MatchActionFailed as failed:
            form.add_error(None, failed.message)
        else:
            messages.success(request, "Match updated.")
            return redirect("matches:detail", org.slug, match.pk)
    status = 400 if form.errors else 200
    return render(request, "matches/edit.html", {"org": org, "m": match, "form": form}, status=status)


@org_view(check="may_manage")
@require_http_methods(["GET", "POST"])
def delete_match(request, org, pk):
    """Ask first; then delete the video at AI on the Ball, then the match, its library row and its file."""
    match = _match_or_404(org, pk)
    error = ""
    if request.method == "POST":
        try:
            services.delete_match(match, actor=request.user)
        except services.MatchActionFailed as failed:
            error = failed.message
        else:
            messages.success(request, f"Deleted “{match.title}”.")
            return redirect("matches:list", org.slug)
    status = 400 if error else 200
    return render(request, "matches/delete.html", {"org": org, "m": match, "error": error}, status=status)
