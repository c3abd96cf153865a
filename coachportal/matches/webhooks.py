"""Receive AI on the Ball's webhook deliveries: verified, idempotent, and quick to answer."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from coachportal.organizations.models import Organization
from coachportal.providers import aiontheball as aob

from .models import Match, WebhookReceipt
from .sync import apply_progress
from .tasks import follow_match


def receive(org: Organization, headers, body: bytes) -> str:
    """Apply one delivery to the organization's match; return what happened (for logs and tests).

    Raises aob.InvalidWebhook when the delivery does not have the documented shape.
    """
    event = aob.verify_webhook(headers, body)
    match = Match.objects.for_org(org).filter(analysis_id=event.analysis_id).first()
    # The provider warns that deliveries repeat: the same event, status and rate is applied once.
    key = f"{event.analysis_id}:{event.event}:{event.status}:{event.completion_rate}"[:200]
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(organization=org, match=match, key=key, payload=event.raw)
    except IntegrityError:
        return "duplicate"
    if match is None:
        return "unknown analysis"
    apply_progress(match, status=event.status, progress=event.completion_rate)
    if event.is_final and not match.is_finished:
        # Fetching the summary and events takes a while: a task does it, the provider gets its 2xx now.
        transaction.on_commit(lambda: follow_match.enqueue(match.pk, ""))
    return "applied"
