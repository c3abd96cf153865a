import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from coachportal.csvsafe import safe_row
from coachportal.organizations.access import org_view
from coachportal.organizations.models import MANAGERS

from . import csv_import, discover, services
from .forms import AthleteForm, ImportConfirmForm, ImportUploadForm, RosterFilterForm
from .models import Athlete

PAGE_SIZE = 25
ROSTER_CHANGED = "The roster changed while saving, so nothing was saved. Check the form and try again."


def _back(request, org, athlete=None):
    """Redirect to the page the form came from (the filtered roster, say), or to the athlete."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    if athlete is not None:
        return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk)
    return redirect("athletes:list", org_slug=org.slug)


def _data(request):
    """Bind a form to any POST, even an empty one, so that it shows its errors."""
    return request.POST if request.method == "POST" else None


@org_view()
@vary_on_headers("HX-Request")
def athlete_list(request, org):
    form = RosterFilterForm(request.GET)
    roster = Athlete.objects.for_org(org)
    athletes = form.filter(roster).with_session_counts().by_name()
    page = Paginator(athletes, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = roster.aggregate(
        active_count=Count("pk", filter=Q(active=True)), archived_count=Count("pk", filter=Q(active=False))
    )
    context = {
        "org": org,
        "form": form,
        "page": page,
        "totals": totals,
        "status": form.chosen_status,
        "q": form.search_text,
    }
    # Swaps get the results only; boosted links and htmx's Back-button history restore need the page.
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        return render(request, "athletes/list.html#results", context)
    return render(request, "athletes/list.html", context)


@org_view()
def export_csv(request, org):
    """Download the roster as filtered on the page, as CSV that spreadsheets open safely."""
    form = RosterFilterForm(request.GET)
    athletes = form.filter(Athlete.objects.for_org(org)).by_name()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{org.slug}-athletes-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(["name", "email", "aikynetix_user_id", "notes", "status", "created_at"])
    for a in athletes.iterator():
        writer.writerow(
            safe_row(
                [
                    a.name,
                    a.email,
                    a.aikynetix_user_id or "",
                    a.notes,
                    "active" if a.active else "archived",
                    a.created_at.date().isoformat(),
                ]
            )
        )
    return response


@org_view()
def detail(request, org, athlete_id):
    athlete = get_object_or_404(Athlete.objects.with_session_counts(), pk=athlete_id, organization=org)
    return render(request, "athletes/detail.html", {"org": org, "athlete": athlete})


def _save(request, org, form, template, context):
    if request.method == "POST" and form.is_valid():
        is_new = form.instance.pk is None
        try:
            athlete = services.save_athlete(form, actor=request.user)
        except IntegrityError:
            # Someone else took the user id between the form's check and the write.
            form.add_error(None, ROSTER_CHANGED)
        else:
            if is_new:
                messages.success(request, f"{athlete.name} is on the roster.")
            else:
                messages.success(request, f"Saved {athlete.name}.")
            return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk)
    return render(
        request, template, {"org": org, "form": form, **context}, status=400 if form.errors else 200
    )


@org_view(roles=MANAGERS)
def create(request, org):
    form = AthleteForm(_data(request), instance=Athlete(organization=org))
    return _save(request, org, form, "athletes/form.html", {"athlete": None})


@org_view(roles=MANAGERS)
def edit(request, org, athlete_id):
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    form = AthleteForm(_data(request), instance=athlete)
    # The form writes onto `athlete` while validating; keep the saved name for the page's heading.
    return _save(request, org, form, "athletes/form.html", {"athlete": athlete, "saved_name": athlete.name})


@org_view(roles=MANAGERS)
@require_POST
def archive(request, org, athlete_id):
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    if services.archive_athlete(athlete, actor=request.user):
        messages.success(request, f"{athlete.name} is archived. Their sessions stay; restore them any time.")
    else:
        messages.info(request, f"{athlete.name} was already archived.")
    return _back(request, org, athlete)


@org_view(roles=MANAGERS)
@require_POST
def restore(request, org, athlete_id):
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    if services.restore_athlete(athlete, actor=request.user):
        messages.success(request, f"{athlete.name} is back on the roster.")
    else:
        messages.info(request, f"{athlete.name} was already on the roster.")
    return _back(request, org, athlete)


@org_view(roles=MANAGERS)
def delete(request, org, athlete_id):
    """Ask before deleting (GET), then delete (POST); athletes with sessions are archived instead."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    if request.method == "POST":
        try:
            services.delete_athlete(athlete, actor=request.user)
        except services.AthleteError as error:
            messages.error(request, str(error))
            return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk)
        messages.success(request, f"{athlete.name} was deleted.")
        return redirect("athletes:list", org_slug=org.slug)
    return render(
        request,
        "athletes/delete.html",
        {"org": org, "athlete": athlete, "has_sessions": athlete.has_sessions()},
    )


@org_view(roles=MANAGERS)
def import_upload(request, org):
    form = ImportUploadForm(*([request.POST, request.FILES] if request.method == "POST" else []))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = csv_import.decode_csv(upload.read(csv_import.MAX_FILE_BYTES + 1))
            csv_import.parse_text(text)
        except csv_import.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            csv_import.keep_pending(request.session, org, filename=upload.name, text=text)
            return redirect("athletes:import_preview", org_slug=org.slug)
    return render(
        request,
        "athletes/import.html",
        {"org": org, "form": form, "max_rows": f"{csv_import.MAX_ROWS:,}"},
        status=400 if form.errors else 200,
    )


def _plan_pending(request, org):
    """Return (stored file, plan) for the organization's pending import, or (None, None)."""
    stored = csv_import.pending(request.session, org)
    if stored is None:
        return None, None
    try:
        parsed = csv_import.parse_text(stored["text"])
    except csv_import.ImportFileError:
        csv_import.discard_pending(request.session, org)
        return None, None
    return stored, csv_import.plan_import(org, parsed)


NO_PREVIEW = "That import preview is no longer available. Upload the file again."


@org_view(roles=MANAGERS)
def import_preview(request, org):
    stored, plan = _plan_pending(request, org)
    if stored is None:
        messages.info(request, NO_PREVIEW)
        return redirect("athletes:import", org_slug=org.slug)
    confirm = ImportConfirmForm(initial={"digest": stored["digest"], "plan": plan.fingerprint})
    return render(
        request,
        "athletes/import_preview.html",
        {"org": org, "plan": plan, "filename": stored["filename"], "confirm": confirm},
    )


@org_view(roles=MANAGERS)
@require_POST
def import_confirm(request, org):
    form = ImportConfirmForm(request.POST)
    stored, plan = _plan_pending(request, org)
    if stored is None or not form.is_valid() or form.cleaned_data["digest"] != stored["digest"]:
        messages.error(request, NO_PREVIEW)
        return redirect("athletes:import", org_slug=org.slug)
    if form.cleaned_data["plan"] != plan.fingerprint:
        messages.warning(request, "The roster changed since this preview. Check it again, then confirm.")
        return redirect("athletes:import_preview", org_slug=org.slug)
    if not plan.writes:
        csv_import.discard_pending(request.session, org)
        messages.info(request, "Nothing was imported: no row adds or changes an athlete.")
        return redirect("athletes:list", org_slug=org.slug)
    try:
        result = csv_import.apply_import(org, plan, actor=request.user, filename=stored["filename"])
    except IntegrityError:
        messages.error(
            request, "The roster changed while importing, so nothing was imported. Check the preview again."
        )
        return redirect("athletes:import_preview", org_slug=org.slug)
    csv_import.discard_pending(request.session, org)
    summary = f"Imported {stored['filename']}: {result.created} added, {result.updated} updated."
    if result.rejected:
        summary += (
            f" {result.rejected} rejected {'row was' if result.rejected == 1 else 'rows were'} skipped."
        )
    messages.success(request, summary)
    return redirect("athletes:list", org_slug=org.slug)


@org_view(roles=MANAGERS)
@require_POST
def import_cancel(request, org):
    csv_import.discard_pending(request.session, org)
    messages.info(request, "Import cancelled; nothing was imported.")
    return redirect("athletes:list", org_slug=org.slug)


@org_view(roles=MANAGERS)
def discover_from_provider(request, org):
    """List the people in the organization's AiKYNETIX sessions who are not on the roster yet."""
    try:
        people, truncated = discover.athletes_from_aikynetix(org)
        error = None
    except discover.DiscoveryError as exc:
        people, truncated, error = [], False, str(exc)
    return render(
        request,
        "athletes/discover.html",
        {
            "org": org,
            "people": people,
            "truncated": truncated,
            "error": error,
            "max_read": discover.MAX_SESSIONS_READ,
        },
    )


@org_view(roles=MANAGERS)
@require_POST
def add_from_provider(request, org):
    """Add one person found in the provider's sessions to the roster, in one click."""
    user_id = request.POST.get("aikynetix_user_id", "")
    name = request.POST.get("name", "").strip() or user_id
    form = AthleteForm({"name": name, "aikynetix_user_id": user_id}, instance=Athlete(organization=org))
    athlete = None
    if form.is_valid():
        try:
            athlete = services.save_athlete(form, actor=request.user)
        except IntegrityError:
            form.add_error(None, ROSTER_CHANGED)
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    if request.htmx:
        return render(
            request,
            "athletes/discover.html#person-row",
            {
                "org": org,
                "person": {"user_id": user_id, "user_name": name},
                "added": athlete,
                "errors": errors,
            },
        )
    if athlete:
        messages.success(request, f"{athlete.name} is on the roster.")
    else:
        messages.error(request, " ".join(errors))
    return redirect("athletes:discover", org_slug=org.slug)
