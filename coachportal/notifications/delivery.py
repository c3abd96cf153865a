"""Send the notification emails that are due: one claim per message, retries with backoff, never twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .models import Kind, Notification
from .services import unsubscribe_token

log = logging.getLogger(__name__)

BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim older than this belongs to a worker that died mid-send; the message is tried again.
STALE_CLAIM = timedelta(minutes=15)
BATCH = 200


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_for(note: Notification) -> EmailMessage:
    unsubscribe = absolute(
        reverse(
            "notifications_public:unsubscribe",
            args=[unsubscribe_token(note.recipient, note.organization, note.kind)],
        )
    )
    lines = [note.title, "", note.body] if note.body else [note.title]
    if note.url:
        lines += ["", f"Open it: {absolute(note.url)}"]
    lines += [
        "",
        "—",
        f"You get this because of your notification choices in {note.organization.name}.",
        f"Stop these emails ({Kind(note.kind).label.lower()}): {unsubscribe}",
    ]
    return EmailMessage(
        subject=f"[{note.organization.name}] {note.title}"[:250],
        body="\n".join(lines),
        to=[note.recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _claim(pk: int, now) -> bool:
    stale = Q(email_state=Notification.Email.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
    due = Q(email_state=Notification.Email.PENDING, email_next_at__lte=now)
    return bool(
        Notification.objects.filter(due | stale, pk=pk).update(
            email_state=Notification.Email.SENDING, email_claimed_at=now
        )
    )


def send_one(pk: int, *, now=None) -> str:
    """Send one due email if this worker claims it; return its state afterwards."""
    now = now or timezone.now()
    if not _claim(pk, now):
        return "not-claimed"
    note = Notification.objects.select_related("recipient", "organization").get(pk=pk)
    try:
        message_for(note).send()
    except Exception as exc:  # any refusal from the mail server: try again later, up to MAX_ATTEMPTS
        attempts = note.email_attempts + 1
        gave_up = attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=pk, email_state=Notification.Email.SENDING).update(
            email_state=Notification.Email.FAILED if gave_up else Notification.Email.PENDING,
            email_attempts=attempts,
            email_next_at=None if gave_up else now + BACKOFF[attempts - 1],
            email_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        log.warning("Notification email %s not sent (attempt %s): %s", pk, attempts, type(exc).__name__)
        return "failed" if gave_up else "retry"
    Notification.objects.filter(pk=pk).update(
        email_state=Notification.Email.SENT,
        email_sent_at=timezone.now(),
        email_attempts=note.email_attempts + 1,
    )
    return "sent"


def deliver_due(*, now=None) -> dict[str, int]:
    """Send every email that is due now; return how many ended in each state."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        Q(email_state=Notification.Email.PENDING, email_next_at__lte=now)
        | Q(email_state=Notification.Email.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
    ).order_by("email_next_at", "pk")
    return deliver(list(due.values_list("pk", flat=True)[:BATCH]), now=now)


def deliver(pks: list[int], *, now=None) -> dict[str, int]:
    """Send these notifications' emails if they are due (others are skipped: not claimed)."""
    outcome: dict[str, int] = {}
    for pk in pks:
        state = send_one(pk, now=now)
        outcome[state] = outcome.get(state, 0) + 1
    return outcome


def next_retry(pks: list[int]):
    """When the earliest of these emails waiting for a retry is due, or None."""
    waiting = Notification.objects.filter(pk__in=pks, email_state=Notification.Email.PENDING)
    return waiting.order_by("email_next_at").values_list("email_next_at", flat=True).first()
