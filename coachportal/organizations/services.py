"""Actions on organizations and their people. Each checks its rule, writes, and records an audit event."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import AuditEvent, Invitation, Membership, Organization, Role, hash_token


class MembershipError(Exception):
    """A change to the organization's people that its rules do not allow; the message is for the user."""


LAST_OWNER = "An organization needs at least one owner. Make someone else an owner first."
ONLY_OWNERS_TOUCH_OWNERS = "Only an owner can change or remove another owner, or make someone an owner."
ALREADY_MEMBER = "{email} is already a member of {org}."
INVITE_NOT_FOUND = "This invitation link is not valid. Ask for a new one."
INVITE_USED = "This invitation has already been used. Ask for a new one if you still need access."
INVITE_EXPIRED = "This invitation has expired. Ask {inviter} for a new one."
INVITE_REVOKED = "This invitation was withdrawn. Ask for a new one if you still need access."
INVITE_FOR_SOMEONE_ELSE = (
    "This invitation is for {email}. Sign out and accept it with that address, "
    "or ask {inviter} to invite {you} instead."
)


def is_invited_address(invitation: Invitation, user) -> bool:
    """Whether `user` signed in with the address the invitation was sent to (case-insensitive)."""
    return (user.email or "").strip().casefold() == invitation.email.strip().casefold()


def create_organization(*, name: str, owner, time_zone: str = "UTC") -> Organization:
    with transaction.atomic():
        org = Organization.objects.create(
            name=name.strip(), slug=Organization.unique_slug_for(name), time_zone=time_zone
        )
        Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
        AuditEvent.record(org, owner, "organization.created", org)
    return org


def _check_may_manage(target: Membership, *, actor_membership: Membership, new_role: str | None = None):
    touches_owner = target.role == Role.OWNER or new_role == Role.OWNER
    if touches_owner and not actor_membership.may_manage_owners():
        raise MembershipError(ONLY_OWNERS_TOUCH_OWNERS)


def _lock_owners(org: Organization) -> int:
    """Count the owners while holding their rows, so two demotions cannot both pass the last-owner check."""
    return len(list(Membership.objects.select_for_update().owners().filter(organization=org)))


def change_role(target: Membership, role: str, *, actor_membership: Membership) -> Membership:
    if role not in Role.values:
        raise MembershipError("Choose one of owner, admin or coach.")
    _check_may_manage(target, actor_membership=actor_membership, new_role=role)
    with transaction.atomic():
        owners = _lock_owners(target.organization)
        target.refresh_from_db()
        if target.role == role:
            return target
        if target.role == Role.OWNER and owners <= 1:
            raise MembershipError(LAST_OWNER)
        old = target.role
        target.role = role
        target.save(update_fields=["role"])
        AuditEvent.record(
            target.organization, actor_membership.user, "member.role_changed", target.user, old=old, new=role
        )
    return target


def remove_member(target: Membership, *, actor_membership: Membership) -> None:
    _check_may_manage(target, actor_membership=actor_membership)
    with transaction.atomic():
        owners = _lock_owners(target.organization)
        if target.role == Role.OWNER and owners <= 1:
            raise MembershipError(LAST_OWNER)
        AuditEvent.record(
            target.organization, actor_membership.user, "member.removed", target.user, role=target.role
        )
        target.delete()


@dataclass
class NewInvitation:
    invitation: Invitation
    token: str  # shown once, in the email; only its hash is stored


def invite(org: Organization, *, email: str, role: str, actor_membership: Membership) -> NewInvitation:
    email = email.strip().lower()
    if role == Role.OWNER:
        raise MembershipError("Invite people as admin or coach; an owner can promote them later.")
    if Membership.objects.filter(organization=org, user__email__iexact=email).exists():
        raise MembershipError(ALREADY_MEMBER.format(email=email, org=org))
    token = Invitation.new_token()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address, so only one link works.
        Invitation.objects.pending().filter(organization=org, email__iexact=email).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            organization=org,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=actor_membership.user,
        )
        AuditEvent.record(org, actor_membership.user, "invitation.sent", invitation, email=email, role=role)
    return NewInvitation(invitation, token)


def revoke_invitation(invitation: Invitation, *, actor_membership: Membership) -> None:
    if invitation.is_pending:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        AuditEvent.record(invitation.organization, actor_membership.user, "invitation.revoked", invitation)


def find_invitation(token: str) -> Invitation:
    """Return the invitation for `token`, or raise MembershipError saying why it cannot be used."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise MembershipError(INVITE_NOT_FOUND)
    if invitation.is_used:
        raise MembershipError(INVITE_USED)
    if invitation.revoked_at:
        raise MembershipError(INVITE_REVOKED)
    if invitation.is_expired:
        inviter = invitation.invited_by or "the organization's admins"
        raise MembershipError(INVITE_EXPIRED.format(inviter=inviter))
    return invitation


def accept_invitation(token: str, *, user) -> Membership:
    with transaction.atomic():
        invitation = find_invitation(token)
        if not is_invited_address(invitation, user):
            # A forwarded or leaked link must not make another account (or another org's owner) a member.
            raise MembershipError(
                INVITE_FOR_SOMEONE_ELSE.format(
                    email=invitation.email,
                    inviter=invitation.invited_by or "the organization's admins",
                    you=user.email,
                )
            )
        # Claim the link with a conditional update: of two simultaneous clicks, exactly one wins.
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if claimed != 1:
            raise MembershipError(INVITE_USED)
        membership, created = Membership.objects.get_or_create(
            user=user, organization=invitation.organization, defaults={"role": invitation.role}
        )
        if created:
            AuditEvent.record(
                invitation.organization, user, "invitation.accepted", invitation, role=invitation.role
            )
    return membership


def signup_with_organization(
    *, email: str, password: str, name: str, organization_name: str, time_zone: str = "UTC"
):
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, name=name)
        org = create_organization(name=organization_name, owner=user, time_zone=time_zone)
    return user, org
