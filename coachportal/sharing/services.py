"""Creating, finding, counting and revoking share links. A token is shown once and stored only hashed."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coachportal.organizations.models import AuditEvent

from .models import ShareLink, token_hash

MIN_DAYS, MAX_DAYS = 1, 30
TOKEN_BYTES = 32  # 256 bits of randomness: 43 URL-safe characters
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def create_link(org, *, actor, kind: str, object_id: int, label: str, days: int, note: str = "",
                extra_ids: list[int] | None = None, query: str = "") -> tuple[ShareLink, str]:  # fmt: skip
    """Make a link valid for `days` (1 to 30); return it and its token (never stored, never shown again).

    `query` is what the shown page needs besides the ids: an athlete's date range, a comparison's offsets.
    """
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"A link lasts {MIN_DAYS} to {MAX_DAYS} days.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        link = ShareLink.objects.create(
            organization=org, kind=kind, object_id=object_id, extra_ids=extra_ids or [], label=label[:300],
            query=query, note=note.strip(), token_hash=token_hash(token), created_by=actor,
            expires_at=timezone.now() + timedelta(days=days),
        )  # fmt: skip
        AuditEvent.record(
            org,
            actor,
            "share.created",
            link,
            kind=kind,
            object_id=object_id,
            expires_at=link.expires_at.isoformat(),
        )
    return link, token


def find(token: str) -> ShareLink | None:
    """The link behind a token (live or not), or None for a token that was never issued."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    return ShareLink.objects.select_related("organization").filter(token_hash=token_hash(token)).first()


def may_revoke(link: ShareLink, membership) -> bool:
    """Its creator, or an owner or admin of the organization."""
    return (
        link.created_by_id is not None and link.created_by_id == membership.user_id
    ) or membership.may_manage()


def revoke(link: ShareLink, *, actor) -> bool:
    """Revoke a link now; False when it was already revoked (nothing changes then)."""
    with transaction.atomic():
        changed = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            AuditEvent.record(
                link.organization, actor, "share.revoked", link, kind=link.kind, object_id=link.object_id
            )
    link.refresh_from_db(fields=["revoked_at"])
    return bool(changed)


def revoke_links_to(org, *, kind: str, object_ids: list[int]) -> int:
    """Revoke every live link to objects that are gone (a deleted session answers 410 from then on)."""
    return (
        ShareLink.objects.for_org(org)
        .filter(kind=kind, object_id__in=object_ids, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )
