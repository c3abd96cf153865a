"""Provider keys: save, remove, test, and the one way to call a provider (`provider_client`).

Only this module decrypts a key, and only to put it into a client's Authorization header.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from coachportal.providers import aikynetix, aiontheball

from .crypto import KeyUnreadable
from .models import AuditEvent, Organization, Provider, ProviderCredential
from .provider_messages import clause, join, sentence

Status = ProviderCredential.Status


@sensitive_variables("api_key")
def save_key(org: Organization, provider: str, *, api_key: str, label: str, actor) -> ProviderCredential:
    """Add the organization's key for `provider`, or replace the one it has."""
    with transaction.atomic():
        credential = ProviderCredential.objects.select_for_update().for_org(org, provider).first()
        verb = "credential.replaced" if credential else "credential.added"
        credential = credential or ProviderCredential(organization=org, provider=provider, created_by=actor)
        credential.label = label.strip()
        credential.set_key(api_key.strip())
        credential.save()
        AuditEvent.record(org, actor, verb, credential, provider=provider, label=credential.label)
    return credential


def remove_key(credential: ProviderCredential, *, actor) -> None:
    AuditEvent.record(
        credential.organization, actor, "credential.removed", credential, provider=credential.provider
    )
    credential.delete()


@sensitive_variables("api_key")
def client_for(credential: ProviderCredential, **options):
    """Return a provider client that authenticates with this credential's key."""
    api_key = credential.plaintext_key()
    timeout = options.pop("timeout", settings.PROVIDER_TIMEOUT_SECONDS)
    if credential.provider == Provider.AIKYNETIX:
        return aikynetix.AikynetixClient(
            api_key, base_url=settings.AIKYNETIX_BASE_URL, timeout=timeout, **options
        )
    return aiontheball.AiOnTheBallClient(
        api_key, base_url=settings.AIONTHEBALL_BASE_URL, timeout=timeout, **options
    )


PROVIDER_ERRORS = (aikynetix.AikynetixError, aiontheball.AiOnTheBallError)
REFUSED = "The provider refused this key."
NO_ANSWER = "The provider did not answer."


@dataclass
class CheckOutcome:
    status: str
    message: str


ADMIN_KEY = "Working: admin key, plan {plan}, activities {activities}."
NOT_ADMIN_KEY = (
    "Working, but not an admin key: uploads for athletes and the sessions library need an admin key."
)


def _activity_label(name: str) -> str:
    """ "VerticalJump" -> "Vertical Jump" (organization-status writes activities without spaces)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def describe_status(status: aikynetix.OrganizationStatus) -> CheckOutcome:
    """What a working AiKYNETIX key may do, from its organization-status."""
    if not status.is_admin:
        return CheckOutcome(Status.NOT_ADMIN, NOT_ADMIN_KEY)
    activities = ", ".join(_activity_label(a) for a in status.activities) or "none listed"
    return CheckOutcome(Status.OK, ADMIN_KEY.format(plan=status.plan or "unknown", activities=activities))


def _probe(credential: ProviderCredential) -> CheckOutcome:
    """Make the cheapest authenticated call that says what the key may do."""
    # One quick try: a person is waiting for the answer, so no retries and a short timeout.
    if credential.provider == Provider.AIKYNETIX:
        with open_client(credential, timeout=10, retries=0) as client:
            try:
                return describe_status(client.organization_status())
            except aikynetix.NotPermitted:
                # The key was accepted (no 401) but may not read its organization: not an admin's key.
                return CheckOutcome(Status.NOT_ADMIN, NOT_ADMIN_KEY)
    with open_client(credential, timeout=10, read_retries=0) as client:
        client.check_token()
    return CheckOutcome(Status.OK, "")


def test_connection(credential: ProviderCredential, *, actor) -> CheckOutcome:
    """Try the key against the provider, record the result and time, and audit it."""
    try:
        outcome = _probe(credential)
    except ProviderCallFailed as failure:
        outcome = _failed_check(failure)
    credential.record_check(outcome.status, outcome.message)
    AuditEvent.record(
        credential.organization,
        actor,
        "credential.tested",
        credential,
        provider=credential.provider,
        result=outcome.status,
    )
    return outcome


def _failed_check(failure: ProviderCallFailed) -> CheckOutcome:
    if failure.kind is Failure.KEY_UNREADABLE:
        return CheckOutcome(Status.REJECTED, join(failure.message, "Paste the key again."))
    if failure.kind in (Failure.KEY_REJECTED, Failure.NOT_PERMITTED):
        return CheckOutcome(Status.REJECTED, sentence(failure.message, fallback=REFUSED))
    # Everything else the provider answered (or failed to answer) means we could not tell.
    return CheckOutcome(Status.UNREACHABLE, sentence(failure.message, fallback=NO_ANSWER))


def mark_rejected(credential: ProviderCredential, message: str) -> None:
    """Note that the provider refused the key during normal work, so owners and admins see a banner."""
    credential.record_check(Status.REJECTED, sentence(message, fallback=REFUSED))


# The one way into a provider ---------------------------------------------------------------------------
#
#     with provider_client(org, Provider.AIKYNETIX, retries=1) as client:
#         client.update_session(...)
#
# Every failure that leaves the block (no key, a key that cannot be decrypted, any error of either
# provider's client) becomes a ProviderCallFailed that says what kind of failure it was, whether trying
# again can help, and whether the provider may have done a write whose answer was lost. A key the
# provider refuses is marked rejected, so owners and admins see the banner. An error a caller expects
# from one call (a 404 that means "already gone", say) is caught inside the block, where it still has
# the provider's own type; everything else is for the caller to turn into its message for people.


class Failure(enum.StrEnum):
    NO_KEY = "no-key"  # the organization has no key for this provider
    KEY_UNREADABLE = "key-unreadable"  # the stored key cannot be decrypted (encryption keys changed)
    KEY_REJECTED = "key-rejected"  # 401: missing, unknown or revoked key
    NOT_PERMITTED = "not-permitted"  # 403: the key may not do this (not an admin's, plan, someone else's)
    NOT_FOUND = "not-found"  # 404/410: no such object for this key
    NOT_READY = "not-ready"  # 409 (AI on the Ball): the results are not served yet
    REFUSED = "refused"  # 400/422, a quota, another 4xx: the request itself was refused
    UNAVAILABLE = "unavailable"  # 5xx, 429, timeout, dropped connection, an answer the client cannot read


_KINDS: dict[Failure, tuple[type[Exception], ...]] = {
    Failure.KEY_REJECTED: (aikynetix.KeyRejected, aiontheball.TokenRejected),
    Failure.NOT_PERMITTED: (aikynetix.NotPermitted, aiontheball.Forbidden),
    Failure.NOT_FOUND: (aikynetix.NotFound, aiontheball.NotFound),
    Failure.NOT_READY: (aiontheball.ResultsNotReady,),
    # UserQuotaReached comes as a 404 from AiKYNETIX, but it is a refusal: asking again cannot help.
    Failure.REFUSED: (aikynetix.InvalidRequest, aikynetix.UserQuotaReached, aiontheball.InvalidRequest),
    Failure.UNAVAILABLE: (aikynetix.ProviderUnavailable, aiontheball.ProviderUnavailable),
}


class ProviderCallFailed(Exception):
    """A call to a provider did not do what was asked.

    `kind` says why (a Failure), `retryable` whether the same call later can succeed, `outcome_unknown`
    whether a write may have happened although its answer was lost (look before writing again), and
    `message` is the provider's (or the key's) own text, to be cleaned before a person reads it.
    `error` is the provider client's error, for the rare caller that needs its details.
    """

    def __init__(
        self,
        kind: Failure,
        message: str,
        *,
        provider: str,
        retryable: bool = False,
        outcome_unknown: bool = False,
        error: Exception | None = None,
        credential_id: int | None = None,
    ):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.provider = provider
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown
        self.error = error
        self.credential_id = credential_id  # whose key was used, so only that key is marked rejected

    @classmethod
    def from_error(cls, error: Exception, *, credential: ProviderCredential) -> ProviderCallFailed:
        """Classify an error of either provider's client."""
        kind = next((kind for kind, types in _KINDS.items() if isinstance(error, types)), None)
        return cls(
            kind or Failure.REFUSED,
            getattr(error, "message", str(error)),
            provider=credential.provider,
            retryable=bool(getattr(error, "retryable", False)),
            outcome_unknown=bool(getattr(error, "outcome_unknown", False)),
            error=error,
            credential_id=credential.pk,
        )

    def explain(self, messages: Mapping[Failure, str], otherwise: str) -> str:
        """The caller's words for this failure: `messages[kind]` (or `otherwise`), in which {detail} is
        the provider's text cleaned into a clause and {message} the text as it came."""
        template = messages.get(self.kind, otherwise)
        return template.format(detail=clause(self.message), message=self.message)

    def __repr__(self) -> str:
        return f"ProviderCallFailed({self.kind.value!r}, {self.message!r}, retryable={self.retryable})"


@contextmanager
def open_client(credential: ProviderCredential, **options: Any) -> Iterator[Any]:
    """Open a client with this credential's key; every failure leaving the block is a ProviderCallFailed.

    For the key test, which records what it found itself; work goes through `provider_client`.
    """
    try:
        with client_for(credential, **options) as client:
            yield client
    except KeyUnreadable as exc:
        raise ProviderCallFailed(
            Failure.KEY_UNREADABLE, str(exc), provider=credential.provider, credential_id=credential.pk
        ) from exc
    except PROVIDER_ERRORS as exc:
        raise ProviderCallFailed.from_error(exc, credential=credential) from exc


@contextmanager
def provider_client(org: Organization | int, provider: Provider | str, **options: Any) -> Iterator[Any]:
    """Open the organization's client for `provider` (options go to the client: timeout, retries, ...).

    Raises ProviderCallFailed (kind NO_KEY when there is no key); marks a refused key rejected.
    """
    credential = ProviderCredential.objects.for_org(org, provider).first()
    if credential is None:
        raise ProviderCallFailed(Failure.NO_KEY, "no key saved", provider=provider)
    try:
        with open_client(credential, **options) as client:
            yield client
    except ProviderCallFailed as failure:
        if failure.kind is Failure.KEY_REJECTED and failure.credential_id == credential.pk:
            mark_rejected(credential, failure.message)
        raise
