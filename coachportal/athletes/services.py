"""Changes to the roster. Each checks its rule, writes, and records an audit event in one transaction."""

from django.db import transaction

from coachportal.organizations.models import AuditEvent
from coachportal.sessions.sync import link_sessions_to_athlete

from .forms import AthleteForm
from .models import Athlete


class AthleteError(Exception):
    """A change to an athlete that the roster's rules do not allow; the message is for the user."""


HAS_SESSIONS = (
    "{name} has analysed sessions, so they cannot be deleted. "
    "Archive them instead: they leave the roster and their sessions stay."
)


def save_athlete(form: AthleteForm, *, actor) -> Athlete:
    """Save a valid AthleteForm and record athlete.created or athlete.updated."""
    is_new = form.instance.pk is None
    with transaction.atomic():
        athlete = form.save()
        if is_new or "aikynetix_user_id" in form.changed_data:
            # Their sessions already in the library follow the user id.
            link_sessions_to_athlete(athlete)
        if is_new:
            AuditEvent.record(athlete.organization, actor, "athlete.created", athlete)
        elif form.has_changed():
            AuditEvent.record(
                athlete.organization, actor, "athlete.updated", athlete, fields=sorted(form.changed_data)
            )
    return athlete


def archive_athlete(athlete: Athlete, *, actor) -> bool:
    with transaction.atomic():
        changed = athlete.archive()
        if changed:
            AuditEvent.record(athlete.organization, actor, "athlete.archived", athlete)
    return changed


def restore_athlete(athlete: Athlete, *, actor) -> bool:
    with transaction.atomic():
        changed = athlete.restore()
        if changed:
            AuditEvent.record(athlete.organization, actor, "athlete.restored", athlete)
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
