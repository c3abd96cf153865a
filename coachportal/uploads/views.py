"""Upload pages: the form (plain POST, per-file XHR, or S3 direct), the live list, retry and discard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from coachportal.htmx_messages import tell_outcome
from coachportal.organizations.access import org_view
from coachportal.organizations.models import Provider, ProviderCredential
from coachportal.storage import direct
from coachportal.storage.limits import max_upload_mb
from coachportal.storage.receive import receive_to_disk

from . import services
from .forms import DescribedUploadForm, UploadForm, described_upload_fields
from .models import Upload

LIST_LIMIT = 50
# Retry and discard, each when it happened and when the upload's state did not allow it.
RETRYING = "“{upload}” will be sent again."
NOT_WAITING_FOR_RETRY = "“{upload}” is not waiting for a retry."
DISCARDED = "“{upload}” and its stored video were discarded."
ONLY_FAILED_DISCARDED = "Only failed uploads can be discarded; “{upload}” is {state}."


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _form_errors(form) -> dict:
    return {
        "errors": {name: list(errors) for name, errors in form.errors.items() if name != "__all__"},
        "non_field_errors": list(form.non_field_errors()),
    }


def _upload_json(request, org, upload: Upload) -> dict:
    return {
        "id": upload.pk,
        "title": upload.title,
        "state": upload.state,
        "state_label": upload.get_state_display(),
        "status_url": reverse("uploads:status", args=[org.slug, upload.pk]),
    }


# The upload form ------------------------------------------------------------------------------------


def _prefill(request) -> dict:
    """`?athlete=<id>` from an athlete's page or the dashboard preselects that athlete."""
    athlete = request.GET.get("athlete", "")
    return {"athlete": int(athlete)} if athlete.isdigit() else {}


def _athlete_ready(form, request) -> bool:
    """Create the chosen athlete in AiKYNETIX if needed; on failure say why next to the athlete field."""
    target = form.cleaned_data.get("target") or Upload.Target.ATHLETE
    athlete = form.cleaned_data.get("athlete") if target == Upload.Target.ATHLETE else None
    try:
        services.ensure_athlete_in_provider(athlete, actor=request.user)
    except services.AthleteNotReady as exc:
        form.add_error("athlete", exc.message)
        return False
    return True


@receive_to_disk
@org_view(check="may_upload")
@require_http_methods(["GET", "POST"])
def new_upload(request, org):
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, org=org, membership=request.membership)
        if form.is_valid() and _athlete_ready(form, request):
            uploads = services.store_uploads(org=org, actor=request.user, videos=form.new_videos())
            if _wants_json(request):
                return JsonResponse({"uploads": [_upload_json(request, org, u) for u in uploads]}, status=201)
            count = len(uploads)
            messages.success(
                request,
                f"{count} video{'s' if count != 1 else ''} stored. "
                "They are being sent to AiKYNETIX; this page shows how far each one got.",
            )
            return redirect("uploads:list", org.slug)
        if _wants_json(request):
            return JsonResponse(_form_errors(form), status=400)
    else:
        form = UploadForm(org=org, membership=request.membership, initial=_prefill(request))
    has_key = ProviderCredential.objects.for_org(org, Provider.AIKYNETIX).exists()
    context = {
        "org": org,
        "form": form,
        "direct": direct.enabled(),
        "has_key": has_key,
        "max_upload_mb": max_upload_mb(),
        "recent": Upload.objects.for_org(org).select_related("athlete").recent_first()[:5],
    }
    return render(request, "uploads/new.html", context, status=400 if form.errors else 200)


@org_view(check="may_upload")
@require_POST
def presign(request, org):
    """S3 mode: validate the form without the file, choose the key, and hand out a presigned POST."""
    if not direct.enabled():
        return JsonResponse({"non_field_errors": [direct.NO_DIRECT], "errors": {}}, status=400)
    form = DescribedUploadForm(request.POST, org=org, membership=request.membership)
    if not (form.is_valid() and _athlete_ready(form, request)):
        return JsonResponse(_form_errors(form), status=400)
    data = form.cleaned_data
    signed = services.presign(
        org=org, actor=request.user, filename=data["filename"], size=data["size"],
        content_type=data["content_type"], fields=_posted_fields(request),
    )  # fmt: skip
    return JsonResponse(signed)


def _posted_fields(request) -> dict:
    """The posted form, to be validated again when the direct upload finishes."""
    return {name: value for name, value in request.POST.items() if name != "csrfmiddlewaretoken"}


@org_view(check="may_upload")
@require_POST
def check(request, org):
    """Before a file goes up to the portal: check the fields and make sure the athlete is in AiKYNETIX.

    The browser calls this first so a problem with the athlete shows at once, not after the whole file
    was sent (S3 mode does the same in `presign`).
    """
    form = DescribedUploadForm(request.POST, org=org, membership=request.membership)
    if not (form.is_valid() and _athlete_ready(form, request)):
        return JsonResponse(_form_errors(form), status=400)
    return JsonResponse({"ok": True})


@org_view(check="may_upload")
@require_POST
def finish(request, org):
    """S3 mode: the browser says the file is in the bucket; check it and record the upload."""
    try:
        upload = services.finish(
            token=request.POST.get("token", ""),
            org=org,
            actor=request.user,
            upload_fields=lambda data: described_upload_fields(data, org=org, membership=request.membership),
        )
    except direct.Refused as refused:
        return JsonResponse({"non_field_errors": [refused.message], "errors": {}}, status=400)
    return JsonResponse({"uploads": [_upload_json(request, org, upload)]}, status=201)


# The list and its live parts ------------------------------------------------------------------------


@org_view(check="may_upload")
@require_GET
def upload_list(request, org):
    return _render_list(request, org)


def _render_list(request, org, *, status: int = 200):
    """The table; read-only (the forward task, the library's syncs and the scheduler move uploads on)."""
    uploads = list(
        Upload.objects.for_org(org)
        .select_related("athlete", "uploaded_by", "session")
        .recent_first()[:LIST_LIMIT]
    )
    polling = any(u.is_in_flight for u in uploads)
    context = {
        "org": org,
        "uploads": uploads,
        "polling": polling,
        "failed_count": Upload.objects.for_org(org).failed().count(),
    }
    if request.htmx:
        response = render(request, "uploads/list.html#table", context)
        if not polling and status == 200:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, "uploads/list.html", context, status=status)


@org_view(check="may_upload")
@require_GET
def upload_status(request, org, pk):
    """One upload's state badge, polled by the upload page; answers 286 (stop polling) once settled.

    Read-only: the forward task, the library's syncs and the scheduler move the upload on.
    """
    upload = get_object_or_404(Upload.objects.select_related("session", "athlete"), pk=pk, organization=org)
    response = render(request, "uploads/list.html#state", {"org": org, "upload": upload, "live": True})
    if not upload.is_in_flight:
        response.status_code = HttpResponseStopPolling.status_code
    return response


def _may_act_on(request, upload: Upload) -> None:
    if not request.membership.may_change_upload(upload):
        raise PermissionDenied("Only owners, admins and the person who uploaded it may change this upload.")


def _after_action(request, org) -> HttpResponse:
    if request.htmx:
        return _render_list(request, org)
    return redirect("uploads:list", org.slug)


def _act_on(request, org, pk, action, done: str, refused: str) -> HttpResponse:
    """Retry or discard (`action`) an upload the member may change; say whether it happened."""
    upload = get_object_or_404(Upload, pk=pk, organization=org)
    _may_act_on(request, upload)
    changed = action(upload, actor=request.user)
    state = upload.get_state_display().lower()
    tell_outcome(request, changed, done.format(upload=upload), refused.format(upload=upload, state=state))
    return _after_action(request, org)


@org_view(check="may_upload")
@require_POST
def retry(request, org, pk):
    return _act_on(request, org, pk, services.retry_upload, RETRYING, NOT_WAITING_FOR_RETRY)


@org_view(check="may_upload")
@require_POST
def discard(request, org, pk):
    return _act_on(request, org, pk, services.discard_upload, DISCARDED, ONLY_FAILED_DISCARDED)
