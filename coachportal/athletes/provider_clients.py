"""Athletes as AiKYNETIX clients: create or link the client, check a typed id, write attributes through.

Other features call `ensure_aikynetix_client(athlete, actor=...)` before they need the athlete's user id
(an upload, say). An athlete is only created upstream with an email: AiKYNETIX requires one, and the
email is how the portal finds an existing client instead of creating a second one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachportal.organizations import credentials
from coachportal.organizations.credentials import Failure, ProviderCallFailed
from coachportal.organizations.models import AuditEvent, Organization, Provider, ProviderCredential
from coachportal.organizations.provider_messages import clause
from coachportal.providers import aikynetix

from .models import ATTRIBUTES, GENDER_MAX, Athlete
from .signals import user_id_changed

State = Athlete.ProviderState

# A person waits for these calls: a short timeout, and the client retries reads only.
INTERACTIVE_TIMEOUT = 10

NO_EMAIL = "Add {name}'s email to create the athlete in AiKYNETIX."
NO_KEY = "Add the organization's AiKYNETIX key under Settings → Provider keys to create {name} in AiKYNETIX."
KEY_UNREADABLE = (
    "The stored AiKYNETIX key can't be read any more. Paste it again under Settings → Provider keys."
)
KEY_REJECTED = "AiKYNETIX refused the organization's key. Check it under Settings → Provider keys."
NOT_ADMIN = (
    "The organization's AiKYNETIX key is not an admin key, so it cannot create or look up clients. "
    "Paste an admin key under Settings → Provider keys."
)
QUOTA = (
    "Your AiKYNETIX plan allows no more clients, so {name} was not created there. "
    "Remove a client in AiKYNETIX or upgrade the plan, then try again."
)
UNREACHABLE = "AiKYNETIX could not be reached, so {name} is not in AiKYNETIX yet. Try again in a moment."
LINKED_ELSEWHERE = (
    "{email} belongs to the AiKYNETIX client of {other}, who is already on the roster. "
    "Give {name} their own email."
)
EMAIL_ELSEWHERE = (
    "{email} is already used by an AiKYNETIX account outside this organization. Use another email for {name}."
)
NOT_ACCEPTED = "AiKYNETIX did not accept {name}'s details ({message}). Check the name and email."
UNKNOWN_ID = (
    "AiKYNETIX has no client with the id “{user_id}” under the organization's key. "
    "Check the id, or leave it empty and create the athlete in AiKYNETIX."
)


class AthleteProviderError(Exception):
    """The athlete could not be created, linked or checked in AiKYNETIX; `message` says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ProviderDown(AthleteProviderError):
    """AiKYNETIX did not answer (or the answer was lost): trying again later can help."""


class QuotaReached(AthleteProviderError):
    """The plan allows no more clients."""


class UnknownClientId(AthleteProviderError):
    """The provider answered that no client with this id is under the key's admin."""


# The key ---------------------------------------------------------------------------------------------


def has_key(org: Organization) -> bool:
    return ProviderCredential.objects.for_org(org, Provider.AIKYNETIX).exists()


# What the people who asked are told when the key or AiKYNETIX stands in the way; other failures (a 404,
# a refused request) stay ProviderCallFailed, for the caller that knows what they mean there.
_KEY_PROBLEMS = {
    Failure.KEY_UNREADABLE: KEY_UNREADABLE,
    Failure.KEY_REJECTED: KEY_REJECTED,
    Failure.NOT_PERMITTED: NOT_ADMIN,
}


@contextmanager
def aikynetix_client(org: Organization, *, name: str = "the athlete", **options) -> Iterator:
    """Open the organization's AiKYNETIX client; a missing, unreadable, refused or non-admin key and an
    unreachable AiKYNETIX become an AthleteProviderError (ProviderDown when trying later can help)."""
    options.setdefault("timeout", INTERACTIVE_TIMEOUT)
    try:
        with credentials.provider_client(org, Provider.AIKYNETIX, **options) as client:
            yield client
    except ProviderCallFailed as failure:
        if failure.kind is Failure.NO_KEY:
            raise AthleteProviderError(NO_KEY.format(name=name)) from None
        if failure.kind in _KEY_PROBLEMS:
            raise AthleteProviderError(_KEY_PROBLEMS[failure.kind]) from None
        if failure.kind is Failure.UNAVAILABLE:
            raise ProviderDown(UNREACHABLE.format(name=name)) from None
        raise


class KeyKind(enum.Enum):
    NONE = "none"
    ADMIN = "admin"
    NOT_ADMIN = "not-admin"
    UNKNOWN = "unknown"  # the provider could not be asked


def key_kind(org: Organization) -> KeyKind:
    """Say whether the organization's AiKYNETIX key can manage clients (one quick provider call)."""
    if not has_key(org):
        return KeyKind.NONE
    try:
        with aikynetix_client(org, timeout=5, retries=0) as client:
            status = client.organization_status()
    except ProviderDown:
        return KeyKind.UNKNOWN
    except AthleteProviderError:
        return KeyKind.NOT_ADMIN
    except ProviderCallFailed:
        return KeyKind.UNKNOWN
    return KeyKind.ADMIN if status.is_admin else KeyKind.NOT_ADMIN


# Finding clients ---------------------------------------------------------------------------------------


@dataclass
class ClientDirectory:
    """Every client of the key's admin, read once, looked up by uid and by email."""

    owner_uid: str | None
    users: list[aikynetix.ClientUser]

    def __post_init__(self):
        self.by_uid = {u.user_uid: u for u in self.users}
        self.by_email: dict[str, aikynetix.ClientUser] = {}
        for user in self.users:
            email = (user.email or "").strip().lower()
            if email and user.user_uid != self.owner_uid:
                self.by_email.setdefault(email, user)

    def clients(self) -> list[aikynetix.ClientUser]:
        """The admin's clients, never the key's owner."""
        return [u for u in self.users if u.user_uid != self.owner_uid]

    def add(self, user: aikynetix.ClientUser) -> None:
        self.users.append(user)
        self.__post_init__()


def read_directory(client) -> ClientDirectory:
    """Read the key owner and all their clients; a non-admin key raises AthleteProviderError."""
    status = client.organization_status()
    if not status.is_admin:
        raise AthleteProviderError(NOT_ADMIN)
    return ClientDirectory(owner_uid=status.uid, users=list(client.iter_users(page_size=50)))


# Creating or linking -----------------------------------------------------------------------------------


def ensure_aikynetix_client(athlete: Athlete, *, actor) -> str:
    """Return the athlete's AiKYNETIX user id, creating the client (or linking one by email) first."""
    if athlete.aikynetix_user_id:
        return athlete.aikynetix_user_id
    if not athlete.email:
        raise AthleteProviderError(NO_EMAIL.format(name=athlete.name))
    try:
        with aikynetix_client(athlete.organization, name=athlete.name) as client:
            directory = read_directory(client)
            return create_or_link(client, directory, athlete, actor=actor)
    except ProviderDown:
        mark_pending(athlete)
        raise


def create_or_link(client, directory: ClientDirectory, athlete: Athlete, *, actor) -> str:
    """Link the client with the athlete's email, or create one; store the id and write the attributes.

    `client` is open (aikynetix_client turns its key and availability errors into AthleteProviderError).
    """
    org = athlete.organization
    existing = directory.by_email.get(athlete.email)
    created = False
    if existing is None:
        try:
            existing = client.create_user(email=athlete.email, display_name=athlete.name)
        except aikynetix.UserQuotaReached:
            raise QuotaReached(QUOTA.format(name=athlete.name)) from None
        except aikynetix.WriteOutcomeUnknown:
            # The create may have happened: look the email up rather than ever creating twice.
            existing = _find_by_email(client, athlete.email, owner_uid=directory.owner_uid)
            if existing is None:
                raise
        except aikynetix.InvalidRequest as error:
            existing = _find_by_email(client, athlete.email, owner_uid=directory.owner_uid)
            if existing is None:
                if isinstance(error, aikynetix.EmailAlreadyInUse):
                    raise AthleteProviderError(
                        EMAIL_ELSEWHERE.format(email=athlete.email, name=athlete.name)
                    ) from None
                raise AthleteProviderError(
                    NOT_ACCEPTED.format(name=athlete.name, message=clause(error.message))
                ) from None
        else:
            created = True
            directory.add(existing)
    other = (
        Athlete.objects.for_org(org)
        .filter(aikynetix_user_id=existing.user_uid)
        .exclude(pk=athlete.pk)
        .first()
    )
    if other is not None:
        raise AthleteProviderError(
            LINKED_ELSEWHERE.format(email=athlete.email, other=other.name, name=athlete.name)
        )
    try:
        with transaction.atomic():
            athlete.aikynetix_user_id = existing.user_uid
            athlete.aikynetix_state = State.VERIFIED
            athlete.aikynetix_checked_at = timezone.now()
            if not created:
                take_provider_attributes(athlete, existing, fill_only=True)
            athlete.save()
            user_id_changed.send(sender=Athlete, athlete=athlete)  # the library relinks its sessions
            AuditEvent.record(
                org,
                actor,
                "athlete.aikynetix_created" if created else "athlete.aikynetix_linked",
                athlete,
                aikynetix_user_id=existing.user_uid,
            )
    except IntegrityError:
        raise AthleteProviderError(
            LINKED_ELSEWHERE.format(email=athlete.email, other="another athlete", name=athlete.name)
        ) from None
    write_attributes(client, athlete)
    return existing.user_uid


def _find_by_email(client, email: str, *, owner_uid: str | None) -> aikynetix.ClientUser | None:
    for user in client.iter_users(page_size=50):
        if (user.email or "").strip().lower() == email and user.user_uid != owner_uid:
            return user
    return None


def mark_pending(athlete: Athlete) -> None:
    """Remember that the athlete should be in AiKYNETIX but could not be created yet."""
    if athlete.pk and not athlete.aikynetix_user_id and athlete.aikynetix_state != State.PENDING:
        athlete.aikynetix_state = State.PENDING
        Athlete.objects.filter(pk=athlete.pk).update(aikynetix_state=State.PENDING)


# Checking a typed id -----------------------------------------------------------------------------------


def check_user_id(org: Organization, user_id: str) -> aikynetix.ClientUser | None:
    """Return the client with this id, None when AiKYNETIX cannot be asked now; raise UnknownClientId."""
    if not has_key(org):
        return None
    try:
        with aikynetix_client(org) as client:
            return client.get_user(user_id)
    except AthleteProviderError:
        return None  # down, key refused or not admin: saved as "not yet verified", the sync tries again
    except ProviderCallFailed as failure:
        if failure.kind is Failure.NOT_FOUND:
            raise UnknownClientId(UNKNOWN_ID.format(user_id=user_id)) from None
        return None


# Attributes --------------------------------------------------------------------------------------------


def provider_values(user: aikynetix.ClientUser) -> dict:
    """The client's body attributes in the portal's types; zero or unreadable values count as unset."""
    values: dict = {}
    for name in ("height", "weight", "leg_length"):
        number = getattr(user, name)
        values[name] = float(number) if number and number > 0 else None
    values["gender"] = (user.gender or "").strip()[:GENDER_MAX] or None
    age = (user.age or "").strip()
    values["age"] = int(age) if age.isdigit() and 0 < int(age) < 150 else None
    return values


def take_provider_attributes(
    athlete: Athlete, user: aikynetix.ClientUser, *, fill_only: bool = False
) -> list[str]:
    """Copy the provider's attributes onto the athlete (only the empty ones with fill_only).

    Record them as what AiKYNETIX holds. Return the changed field names; the caller saves.
    """
    upstream = provider_values(user)
    changed = []
    for name in ATTRIBUTES:
        local = getattr(athlete, name)
        if fill_only and local not in (None, ""):
            continue
        value = upstream[name] if upstream[name] is not None else ("" if name == "gender" else None)
        if local != value:
            setattr(athlete, name, value)
            changed.append(name)
    athlete.provider_attributes = {k: v for k, v in upstream.items() if v is not None}
    athlete.attributes_refreshed_at = timezone.now()
    return changed


def unsent_attributes(athlete: Athlete) -> dict:
    """The attribute values the portal holds that AiKYNETIX does not (empty values are never sent)."""
    snapshot = athlete.provider_attributes or {}
    return {name: value for name, value in athlete.attribute_values().items() if snapshot.get(name) != value}


def write_attributes(client, athlete: Athlete) -> bool:
    """PUT the athlete's changed attributes to AiKYNETIX; return whether AiKYNETIX now has them.

    On failure the values stay marked unsent and the roster sync sends them later.
    """
    values = unsent_attributes(athlete)
    if not athlete.aikynetix_user_id or not values:
        return True
    try:
        client.update_user(athlete.aikynetix_user_id, **values)
    except aikynetix.AikynetixError:
        return False
    athlete.provider_attributes = {**(athlete.provider_attributes or {}), **values}
    athlete.attributes_written_at = timezone.now()
    Athlete.objects.filter(pk=athlete.pk).update(
        provider_attributes=athlete.provider_attributes, attributes_written_at=athlete.attributes_written_at
    )
    return True


def write_attributes_for(athlete: Athlete) -> bool:
    """Open the organization's client and write the athlete's changed attributes through."""
    if not athlete.aikynetix_user_id or not unsent_attributes(athlete):
        return True
    try:
        with aikynetix_client(athlete.organization, name=athlete.name) as client:
            return write_attributes(client, athlete)
    except AthleteProviderError:
        return False
