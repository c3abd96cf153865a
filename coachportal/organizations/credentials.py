"""Provider keys: save, remove, test, and hand a ready client to the code that talks to a provider.

Only this module decrypts a key, and only to put it into a client's Authorization header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        credential = (
            ProviderCredential.objects.select_for_update().filter(organization=org, provider=provider).first()
        )
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


REJECTED_ERRORS = (
    aikynetix.KeyRejected,
    aikynetix.NotPermitted,
    aiontheball.TokenRejected,
    aiontheball.Forbidden,
)
PROVIDER_ERRORS = (aikynetix.AikynetixError, aiontheball.AiOnTheBallError)
UNANSWERED_ERRORS = (aikynetix.ProviderUnavailable, aiontheball.ProviderUnavailable)
REFUSED = "The provider refused this key."
NO_ANSWER = "The provider did not answer."
ANSWERED_SECOND_TIME = "The first test got no answer, so the portal asked again"
UNCONFIRMED = (
    "The portal could not confirm whether the key works: the provider did not answer, twice ({reason}). "
    "The key is kept; test it again in a minute."
)


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
        with client_for(credential, timeout=10, retries=0) as client:
            try:
                return describe_status(client.organization_status())
            except aikynetix.NotPermitted:
                # The key was accepted (no 401) but may not read its organization: not an admin's key.
                return CheckOutcome(Status.NOT_ADMIN, NOT_ADMIN_KEY)
    with client_for(credential, timeout=10, read_retries=0) as client:
        client.check_token()
    return CheckOutcome(Status.OK, "")


def _probe_twice(credential: ProviderCredential) -> CheckOutcome:
    """Probe; when no answer comes, ask once more and say so, rather than guess from silence."""
    try:
        return _probe(credential)
    except UNANSWERED_ERRORS:
        outcome = _probe(credential)
    return CheckOutcome(outcome.status, join(ANSWERED_SECOND_TIME, outcome.message or "the key works."))


def test_connection(credential: ProviderCredential, *, actor) -> CheckOutcome:
    """Try the key against the provider, record the result and time, and audit it."""
    try:
        outcome = _probe_twice(credential)
    except KeyUnreadable as error:
        outcome = CheckOutcome(Status.REJECTED, join(str(error), "Paste the key again."))
    except REJECTED_ERRORS as error:
        outcome = CheckOutcome(Status.REJECTED, sentence(error.message, fallback=REFUSED))
    except UNANSWERED_ERRORS as error:
        reason = clause(error.message, fallback=NO_ANSWER)
        outcome = CheckOutcome(Status.UNREACHABLE, sentence(UNCONFIRMED.format(reason=reason)))
    except PROVIDER_ERRORS as error:
        # Everything else the provider answered means we could not tell.
        outcome = CheckOutcome(Status.UNREACHABLE, sentence(error.message, fallback=NO_ANSWER))
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


def mark_rejected(credential: ProviderCredential, message: str) -> None:
    """Note that the provider refused the key during normal work, so owners and admins see a banner."""
    credential.record_check(Status.REJECTED, sentence(message, fallback=REFUSED))
