"""Changes to the roster. Each checks its rule, writes, and records an audit event in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from coachportal.organizations.models import AuditEvent

from . import provider_clients
from .forms import AthleteForm
from .models import ATTRIBUTES, Athlete
from .provider_clients import AthleteProviderError
from .signals import user_id_changed

State = Athlete.ProviderState


class AthleteError(Exception):
    """A change to an athlete that the roster's rules do not allow; the message is for the user."""


HAS_SESSIONS = (
    "{name} has analysed sessions, so they cannot be deleted. "
    "Archive them instead: they leave the roster and their sessions stay."
)


NOT_VERIFIED = (
    "AiKYNETIX could not be asked about the user id “{user_id}”, so it is saved as not yet verified. "
    "The next roster sync checks it."
)
ATTRIBUTES_NOT_SENT = (
    "AiKYNETIX could not be reached, so the new attributes are not there yet. "
    "The next roster sync sends them."
)


@dataclass
class SaveResult:
    athlete: Athlete
    created_upstream: str = ""  # the id the athlete got in AiKYNETIX during this save
    warnings: list[str] = field(default_factory=list)


def save_athlete(form: AthleteForm, *, actor) -> SaveResult:
    """Save a valid AthleteForm, record athlete.created or athlete.updated, and keep AiKYNETIX in step.

    A typed user id is checked first: an id AiKYNETIX does not know raises UnknownClientId and nothing
    is saved. "Create in AiKYNETIX" runs after the roster row is saved, so a refused or failed create
    never loses what was typed; it comes back as a warning, and the athlete page offers to try again.
    """
    athlete = form.instance
    is_new = athlete.pk is None
    id_changed = is_new or "aikynetix_user_id" in form.changed_data
    warnings = []
    if id_changed and athlete.aikynetix_user_id:
        upstream = provider_clients.check_user_id(athlete.organization, athlete.aikynetix_user_id)
        athlete.aikynetix_checked_at = timezone.now()
        if upstream is None:
            athlete.aikynetix_state = State.UNVERIFIED
            if provider_clients.has_key(athlete.organization):
                warnings.append(NOT_VERIFIED.format(user_id=athlete.aikynetix_user_id))
        else:
            athlete.aikynetix_state = State.VERIFIED
            provider_clients.take_provider_attributes(athlete, upstream, fill_only=True)
    elif id_changed:
        athlete.provider_attributes = {}
    with transaction.atomic():
        athlete = form.save()
        if id_changed:
            # Their sessions already in the library follow the user id.
            user_id_changed.send(sender=Athlete, athlete=athlete)
        if is_new:
            AuditEvent.record(athlete.organization, actor, "athlete.created", athlete)
        elif form.has_changed():
            AuditEvent.record(
                athlete.organization, actor, "athlete.updated", athlete, fields=sorted(form.changed_data)
            )
    result = SaveResult(athlete, warnings=warnings)
    if form.wants_create and not athlete.aikynetix_user_id:
        try:
            result.created_upstream = provider_clients.ensure_aikynetix_client(athlete, actor=actor)
        except AthleteProviderError as error:
            result.warnings.append(error.message)
    elif (
        athlete.aikynetix_state != State.MISSING
        and any(n in form.changed_data for n in ATTRIBUTES)
        and not provider_clients.write_attributes_for(athlete)
    ):
        result.warnings.append(ATTRIBUTES_NOT_SENT)
    return result


def create_in_aikynetix(athlete: Athlete, *, actor) -> str:
    """The athlete page's "Create in AiKYNETIX" button: ensure the client, or raise AthleteProviderError."""
    return provider_clients.ensure_aikynetix_client(athlete, actor=actor)


def set_archived(athlete: Athlete, *, archived: bool, actor) -> bool:
    """Archive or restore an athlete, recorded in the audit log; return whether it changed anything."""
    with transaction.atomic():
        changed = athlete.set_archived(archived)
        if changed:
            action = "athlete.archived" if archived else "athlete.restored"
            AuditEvent.record(athlete.organization, actor, action, athlete)
    return changed


def delete_athlete(athlete: Athlete, *, actor) -> None:
    """Delete an athlete who has no sessions; one with sessions raises AthleteError."""
    if athlete.has_sessions():
        raise AthleteError(HAS_SESSIONS.format(name=athlete.name))
    with transaction.atomic():
        AuditEvent.record(
            athlete.organization,
            actor,
            "athlete.deleted",
            athlete,
            email=athlete.email,
            aikynetix_user_id=athlete.aikynetix_user_id,
        )
        athlete.delete()


def assign_coach(*, athlete_ids: list[int], coach, assign: bool, actor) -> list[Athlete]:
    """Give the athletes `coach` (a coach's membership of their organization), or take it away; return the
    athletes that changed, each with an audit event. Athletes of another organization are left alone."""
    org = coach.organization
    links = Athlete.coaches.through.objects.filter(membership=coach, athlete_id__in=athlete_ids)
    linked = set(links.values_list("athlete_id", flat=True))
    athletes = Athlete.objects.for_org(org).filter(pk__in=athlete_ids).by_name()
    changed = [a for a in athletes if (a.pk in linked) != assign]
    with transaction.atomic():
        if assign:
            Athlete.coaches.through.objects.bulk_create(
                [Athlete.coaches.through(athlete=a, membership=coach) for a in changed], ignore_conflicts=True
            )
        else:
            links.delete()
        verb = "athlete.coach_assigned" if assign else "athlete.coach_unassigned"
        for athlete in changed:
            AuditEvent.record(org, actor, verb, athlete, coach=coach.user.email)
    return changed
