"""Import from AiKYNETIX: the clients of the organization's AiKYNETIX admin who are not on the roster yet."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from coachportal.organizations.models import AuditEvent, Organization
from coachportal.providers import aikynetix

from . import provider_clients
from .models import NAME_MAX, Athlete, normalize_email
from .provider_clients import AthleteProviderError, ClientDirectory
from .signals import session_counts_wanted, user_id_changed

NO_KEY = "Add the organization's AiKYNETIX key first, under Settings → Provider keys."
ON_ROSTER = "{name} already has this AiKYNETIX user id, so they are on the roster."
NOT_ON_LIST = "That client is not among the organization's AiKYNETIX clients any more. Reload the list."


class DiscoveryError(Exception):
    """The provider could not be asked; the message says why, for the person who asked."""


@dataclass
class ProviderClient:
    user_id: str
    name: str
    email: str
    sessions: int = 0
    same_email: Athlete | None = None  # an athlete on the roster without an id who has this email


def _directory(org: Organization) -> ClientDirectory:
    if not provider_clients.has_key(org):
        raise DiscoveryError(NO_KEY)
    try:
        with provider_clients.aikynetix_client(org, timeout=30) as client:
            return provider_clients.read_directory(client)
    except AthleteProviderError as error:
        raise DiscoveryError(error.message) from None


def _email(user: aikynetix.ClientUser) -> str:
    email = normalize_email(user.email)
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def clients_not_on_roster(
    org: Organization, directory: ClientDirectory | None = None
) -> list[ProviderClient]:
    """List the admin's clients (never the key's owner) whose id no athlete of `org` has, by name."""
    directory = directory or _directory(org)
    roster = Athlete.objects.for_org(org)
    on_roster = set(roster.exclude(aikynetix_user_id=None).values_list("aikynetix_user_id", flat=True))
    unlinked = {a.email: a for a in roster.filter(aikynetix_user_id=None).exclude(email="")}
    people = [
        ProviderClient(
            user_id=user.user_uid,
            name=(user.display_name or "").strip(),
            email=_email(user),
            same_email=unlinked.get(_email(user)),
        )
        for user in directory.clients()
        if user.user_uid not in on_roster
    ]
    # Session counts from the library's mirror (the library answers; one query).
    counts = {}
    ids = [p.user_id for p in people]
    for _receiver, answer in session_counts_wanted.send(sender=Athlete, organization=org, user_ids=ids):
        counts.update(answer)
    for person in people:
        person.sessions = counts.get(person.user_id, 0)
    return sorted(people, key=lambda p: ((p.name or p.email).lower() or "~", p.user_id))


def add_clients(org: Organization, *, user_ids: list[str] | None, actor) -> list[Athlete]:
    """Put the given clients (all of them with None) on the roster; return the athletes added or linked.

    A client whose email belongs to an athlete without an id links that athlete instead of adding a
    second one. Raises DiscoveryError when the provider cannot be read or an id is not a client.
    """
    directory = _directory(org)
    waiting = {p.user_id: p for p in clients_not_on_roster(org, directory)}
    if user_ids is not None:
        for uid in user_ids:
            if uid not in waiting:
                holder = Athlete.objects.for_org(org).filter(aikynetix_user_id=uid).first()
                raise DiscoveryError(ON_ROSTER.format(name=holder.name) if holder else NOT_ON_LIST)
        waiting = {uid: waiting[uid] for uid in user_ids}
    added = []
    now = timezone.now()
    with transaction.atomic():
        for person in waiting.values():
            user = directory.by_uid[person.user_id]
            athlete = person.same_email or Athlete(organization=org, name=_name(user), email=person.email)
            is_new = athlete.pk is None
            athlete.aikynetix_user_id = person.user_id
            athlete.aikynetix_state = Athlete.ProviderState.VERIFIED
            athlete.aikynetix_checked_at = now
            provider_clients.take_provider_attributes(athlete, user, fill_only=not is_new)
            athlete.save()
            user_id_changed.send(sender=Athlete, athlete=athlete)
            AuditEvent.record(
                org,
                actor,
                "athlete.created" if is_new else "athlete.aikynetix_linked",
                athlete,
                source="aikynetix",
                aikynetix_user_id=person.user_id,
            )
            added.append(athlete)
    return added


def _name(user: aikynetix.ClientUser) -> str:
    return ((user.display_name or "").strip() or _email(user) or user.user_uid)[:NAME_MAX]
