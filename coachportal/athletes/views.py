import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from coachportal.csvsafe import safe_row
from coachportal.htmx_messages import tell_outcome
from coachportal.organizations.access import org_view
from coachportal.organizations.models import Membership

from . import csv_import, csv_provider, discover, provider_clients, services
from .forms import (
    AthleteForm,
    CoachAssignForm,
    ImportConfirmForm,
    ImportUploadForm,
    RosterFilterForm,
    coach_label,
)
from .models import USER_ID_MAX, Athlete, assignable_coaches

PAGE_SIZE = 25
ROSTER_CHANGED = "The roster changed while saving, so nothing was saved. Check the form and try again."
# What archiving (True) and restoring (False) say when they changed something, and when they did not
# ({} is the athlete's name).
ROSTER_CHANGES = {
    True: ("{} is archived. Their sessions stay; restore them any time.", "{} was already archived."),
    False: ("{} is back on the roster.", "{} was already on the roster."),
}


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
    # Each athlete's coaches in one more query, whatever the page holds.
    coaches = Prefetch("coaches", queryset=Membership.objects.select_related("user").order_by("user__name"))
    page = Paginator(athletes.prefetch_related(coaches), PAGE_SIZE).get_page(request.GET.get("page"))
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
        # Managers assign coaches to the ticked athletes (when the organization has coaches).
        "assign_form": CoachAssignForm(org=org)
        if request.membership.may_manage() and assignable_coaches(org).exists()
        else None,
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
                    timezone.localdate(a.created_at).isoformat(),  # the day in the reader's zone
                ]
            )
        )
    return response


@org_view(check="may_manage")
@require_POST
def assign_coaches(request, org):
    """The athletes list's bulk action: assign a coach to the ticked athletes, or unassign them."""
    form = CoachAssignForm(request.POST, org=org)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, org)
    coach, assign = form.cleaned_data["coach"], form.cleaned_data["action"] == CoachAssignForm.ADD
    ids = [a.pk for a in form.cleaned_data["athletes"]]
    changed = services.assign_coach(athlete_ids=ids, coach=coach, assign=assign, actor=request.user)
    who, n = coach_label(coach), len(changed)
    if not changed:
        messages.info(request, f"Nothing to change: {who} already {'had' if assign else 'had none of'} them.")
    elif assign:
        messages.success(request, f"{who} now coaches {n} more athlete{pluralize(n)}.")
    else:
        messages.success(request, f"{who} no longer coaches {n} athlete{pluralize(n)}.")
    return _back(request, org)


def _save(request, org, form, template, context):
    if request.method == "POST" and form.is_valid():
        is_new = form.instance.pk is None
        try:
            result = services.save_athlete(form, actor=request.user)
        except provider_clients.UnknownClientId as error:
            form.add_error("aikynetix_user_id", error.message)
        except IntegrityError:
            # Someone else took the user id between the form's check and the write.
            form.add_error(None, ROSTER_CHANGED)
        else:
            athlete = result.athlete
            if is_new:
                messages.success(request, f"{athlete.name} is on the roster.")
            else:
                messages.success(request, f"Saved {athlete.name}.")
            if result.created_upstream:
                messages.success(request, f"{athlete.name} is a client in AiKYNETIX.")
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk)
    return render(
        request, template, {"org": org, "form": form, **context}, status=400 if form.errors else 200
    )


def _create_options(request, org, athlete: Athlete) -> dict:
    """Offer "Create in AiKYNETIX" to athletes without an id; tick it when the key can create clients."""
    if athlete.aikynetix_user_id:
        return {"offer_create": False}
    # Only an unbound form shows the default, so the provider is only asked on GET.
    admin = request.method != "POST" and provider_clients.key_kind(org) == provider_clients.KeyKind.ADMIN
    return {"offer_create": True, "create_by_default": admin}


@org_view(check="may_manage")
def create(request, org):
    athlete = Athlete(organization=org)
    form = AthleteForm(_data(request), instance=athlete, **_create_options(request, org, athlete))
    return _save(request, org, form, "athletes/form.html", {"athlete": None})


@org_view(check="may_manage")
def edit(request, org, athlete_id):
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    form = AthleteForm(_data(request), instance=athlete, **_create_options(request, org, athlete))
    # The form writes onto `athlete` while validating; keep the saved name for the page's heading.
    return _save(request, org, form, "athletes/form.html", {"athlete": athlete, "saved_name": athlete.name})


@org_view(check="may_manage")
@require_POST
def create_upstream(request, org, athlete_id):
    """Create (or link by email) the athlete's AiKYNETIX client: the retry after a failed attempt."""
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    try:
        services.create_in_aikynetix(athlete, actor=request.user)
    except provider_clients.AthleteProviderError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{athlete.name} is a client in AiKYNETIX.")
    return redirect("athletes:detail", org_slug=org.slug, athlete_id=athlete.pk)


@org_view(check="may_manage")
@require_POST
def set_archived(request, org, athlete_id, *, archived: bool):
    """Archive an athlete (their sessions stay) or restore them, as the URL says; tell whether it changed."""
    done, unchanged = ROSTER_CHANGES[archived]
    athlete = get_object_or_404(Athlete, pk=athlete_id, organization=org)
    changed = services.set_archived(athlete, archived=archived, actor=request.user)
    tell_outcome(request, changed, done.format(athlete.name), unchanged.format(athlete.name))
    return _back(request, org, athlete)


@org_view(check="may_manage")
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


@org_view(check="may_manage")
def import_upload(request, org):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, offer_create=True)
    else:
        kind = provider_clients.key_kind(org)
        form = ImportUploadForm(
            offer_create=kind not in (provider_clients.KeyKind.NONE, provider_clients.KeyKind.NOT_ADMIN),
            create_by_default=kind == provider_clients.KeyKind.ADMIN,
        )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = csv_import.decode_csv(upload.read(csv_import.MAX_FILE_BYTES + 1))
            csv_import.parse_text(text)
        except csv_import.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            csv_import.keep_pending(
                request.session,
                org,
                filename=upload.name,
                text=text,
                create_upstream=bool(form.cleaned_data.get("create_in_aikynetix")),
            )
            return redirect("athletes:import_preview", org_slug=org.slug)
    return render(
        request,
        "athletes/import.html",
        {"org": org, "form": form, "max_rows": f"{csv_import.MAX_ROWS:,}"},
        status=400 if form.errors else 200,
    )


def _plan_pending(request, org):
    """Return (stored file, plan, what AiKYNETIX says) for the organization's pending import, or Nones."""
    stored = csv_import.pending(request.session, org)
    if stored is None:
        return None, None, None
    try:
        parsed = csv_import.parse_text(stored["text"])
    except csv_import.ImportFileError:
        csv_import.discard_pending(request.session, org)
        return None, None, None
    upstream = csv_provider.read_upstream(org)
    return stored, csv_import.plan_import(org, parsed, known_ids=upstream.known_ids), upstream


NO_PREVIEW = "That import preview is no longer available. Upload the file again."


@org_view(check="may_manage")
def import_preview(request, org):
    stored, plan, upstream = _plan_pending(request, org)
    if stored is None:
        messages.info(request, NO_PREVIEW)
        return redirect("athletes:import", org_slug=org.slug)
    confirm = ImportConfirmForm(initial={"digest": stored["digest"], "plan": plan.fingerprint})
    create = stored.get("create_upstream", False)
    words = csv_provider.describe(org, plan, upstream, create=create)
    for p in plan.rows:
        p.upstream = words.get(p.row.number)
    return render(
        request,
        "athletes/import_preview.html",
        {
            "org": org,
            "plan": plan,
            "filename": stored["filename"],
            "confirm": confirm,
            "create_upstream": create,
            "upstream_problem": upstream.problem,
        },
    )


@org_view(check="may_manage")
@require_POST
def import_confirm(request, org):
    form = ImportConfirmForm(request.POST)
    stored, plan, upstream = _plan_pending(request, org)
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
        result = csv_import.apply_import(
            org,
            plan,
            actor=request.user,
            filename=stored["filename"],
            ids_verified=upstream.known_ids is not None,
        )
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
    if stored.get("create_upstream") and not upstream.fatal:
        outcome = csv_provider.create_clients(org, result.new_athletes, actor=request.user)
        for line in outcome.summary():
            messages.info(request, line)
    return redirect("athletes:list", org_slug=org.slug)


@org_view(check="may_manage")
@require_POST
def import_cancel(request, org):
    csv_import.discard_pending(request.session, org)
    messages.info(request, "Import cancelled; nothing was imported.")
    return redirect("athletes:list", org_slug=org.slug)


@org_view(check="may_manage")
def discover_from_provider(request, org):
    """Import from AiKYNETIX: list the organization's AiKYNETIX clients who are not on the roster yet."""
    try:
        people, error = discover.clients_not_on_roster(org), None
    except discover.DiscoveryError as exc:
        people, error = [], str(exc)
    return render(request, "athletes/discover.html", {"org": org, "people": people, "error": error})


@org_view(check="may_manage")
@require_POST
def add_from_provider(request, org):
    """Put one AiKYNETIX client (`aikynetix_user_id`) or all of them (`all`) on the roster, in one click."""
    user_id = request.POST.get("aikynetix_user_id", "").strip()[:USER_ID_MAX]
    everyone = "all" in request.POST
    added, error = [], None
    if not everyone and not user_id:
        error = "Choose a client to add."
    else:
        try:
            added = discover.add_clients(org, user_ids=None if everyone else [user_id], actor=request.user)
        except discover.DiscoveryError as exc:
            error = str(exc)
        except IntegrityError:
            error = ROSTER_CHANGED
    if request.htmx and not everyone:
        return render(
            request,
            "athletes/discover.html#person-row",
            {
                "org": org,
                "person": {"user_id": user_id, "name": added[0].name if added else ""},
                "added": added[0] if added else None,
                "errors": [error] if error else [],
            },
        )
    if error:
        messages.error(request, error)
    elif everyone:
        messages.success(request, f"Added {len(added)} athlete{pluralize(len(added))} from AiKYNETIX.")
    else:
        messages.success(request, f"{added[0].name} is on the roster.")
    return redirect("athletes:discover", org_slug=org.slug)
