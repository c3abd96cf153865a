"""Who wants what, creating a notification once per event, and the signed unsubscribe token."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from coachportal.organizations.models import Membership

from .models import Kind, Notification, Preference, default_wanted

UNSUBSCRIBE_SALT = "coachportal.notifications.unsubscribe"


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: bool


def choices_for(user, org) -> dict[str, Choice]:
    """Each kind's in-app and email choice for `user` in `org` (saved, or the default for their role)."""
    membership = Membership.objects.filter(user=user, organization=org).first()
    role = membership.role if membership else ""
    saved = {p.kind: p for p in Preference.objects.filter(user=user, organization=org)}
    result = {}
    for kind in Kind.values:
        if kind in saved:
            result[kind] = Choice(saved[kind].in_app, saved[kind].email)
        else:
            wanted = default_wanted(kind, role)
            result[kind] = Choice(wanted, wanted)
    return result


def save_choices(user, org, choices: dict[str, Choice]) -> None:
    for kind, choice in choices.items():
        Preference.objects.update_or_create(
            user=user, organization=org, kind=kind, defaults={"in_app": choice.in_app, "email": choice.email}
        )


def notify(*, recipient, organization, kind: str, event_key: str, title: str, body: str = "", url: str = ""):
    """Record one event for one person, as they chose; a second call for the same event does nothing.

    Returns the new notification, or None when the person wants neither kind of message or it exists.
    """
    if not Membership.objects.filter(user=recipient, organization=organization).exists():
        return None  # left the organization since
    choice = choices_for(recipient, organization)[kind]
    emailed = choice.email and bool(recipient.email)
    if not (choice.in_app or emailed):
        return None
    if Notification.objects.filter(recipient=recipient, event_key=event_key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, organization=organization, kind=kind, event_key=event_key[:120],
                title=title[:300], body=body, url=url[:500], in_app=choice.in_app,
                email_state=Notification.Email.PENDING if emailed else Notification.Email.NONE,
                email_next_at=timezone.now() if emailed else None,
            )  # fmt: skip
    except IntegrityError:  # another worker recorded the same event a moment ago
        return None


def unsubscribe_token(user, org, kind: str) -> str:
    return signing.dumps({"u": user.pk, "o": org.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        claim = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or claim.get("k") not in Kind.values:
        return None
    return claim


def unsubscribe(*, user_id: int, organization_id: int, kind: str) -> None:
    """Stop emails of one kind for one person in one organization (the in-app list is unchanged)."""
    in_app = True
    existing = Preference.objects.filter(user_id=user_id, organization_id=organization_id, kind=kind).first()
    if existing is not None:
        in_app = existing.in_app
    Preference.objects.update_or_create(
        user_id=user_id,
        organization_id=organization_id,
        kind=kind,
        defaults={"email": False, "in_app": in_app},
    )
    # Whatever of that kind still waits is not sent either.
    Notification.objects.filter(
        recipient_id=user_id,
        organization_id=organization_id,
        kind=kind,
        email_state=Notification.Email.PENDING,
    ).update(email_state=Notification.Email.NONE)


def mark_read(user, org, pk=None) -> int:
    query = Notification.objects.shown_to(user, org).unread()
    if pk is not None:
        query = query.filter(pk=pk)
    return query.update(read_at=timezone.now())
