import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from .crypto import decrypt, encrypt


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    coaches_may_upload = models.BooleanField(
        default=False, help_text="Let coaches upload videos on behalf of athletes."
    )
    keep_local_video_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Days to keep the portal's copy of a video once the provider has it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def unique_slug_for(cls, name: str) -> str:
        """Return a URL slug for `name` that no organization uses yet."""
        base = slugify(name)[:50] or "organization"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    COACH = "coach", "Coach"


# Who may do what, named once and used by views, templates and tests alike.
MANAGERS = (Role.OWNER, Role.ADMIN)
EVERYONE = (Role.OWNER, Role.ADMIN, Role.COACH)


class MembershipQuerySet(models.QuerySet):
    def owners(self):
        return self.filter(role=Role.OWNER)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.COACH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_user_and_org")
        ]
        ordering = ["organization__name"]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGERS


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_invite_expiry():
    return timezone.now() + timedelta(days=settings.INVITE_EXPIRY_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use, expiring link that makes its holder a member with `role`.

    Only the token's hash is stored, so a database leak does not leak working links.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.COACH)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invite_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(Lower("email"), "organization", name="invitation_org_email")]

    def __str__(self):
        return f"Invitation of {self.email} to {self.organization} as {self.role}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_pending(self) -> bool:
        return not (self.is_used or self.revoked_at or self.is_expired)


class AuditEvent(models.Model):
    """Who did what, when, in which organization. Never holds a secret."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organization", "-at"], name="audit_org_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.object_repr}"

    @classmethod
    def record(cls, organization, actor, verb, obj=None, **detail):
        return cls.objects.create(
            organization=organization,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            verb=verb,
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            detail=detail,
        )


class Provider(models.TextChoices):
    AIKYNETIX = "aikynetix", "AiKYNETIX"
    AIONTHEBALL = "aiontheball", "AI on the Ball"


class ProviderCredentialQuerySet(models.QuerySet):
    def for_org(self, org: Organization | int, provider: str):
        """The organization's key for `provider` (at most one row): `.first()`, `.exists()`."""
        return self.filter(organization=org, provider=provider)


class ProviderCredential(models.Model):
    """An organization's API key for one provider, encrypted at rest and never shown again after saving."""

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Not tested yet"
        OK = "ok", "Working"
        # The key works, but for its owner's own account only: athletes' uploads and the library need admin.
        NOT_ADMIN = "not_admin", "Working, but not an admin key"
        REJECTED = "rejected", "Rejected by the provider"
        UNREACHABLE = "unreachable", "Provider unreachable"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credentials")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    label = models.CharField(max_length=80, blank=True)
    key_ciphertext = models.TextField(editable=False)
    last4 = models.CharField(max_length=4, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNVERIFIED)
    status_message = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProviderCredentialQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "provider"], name="one_key_per_provider_and_org")
        ]
        ordering = ["provider"]

    def __str__(self):
        return f"{self.get_provider_display()} key …{self.last4}"

    def set_key(self, plaintext: str) -> None:
        self.key_ciphertext = encrypt(plaintext)
        self.last4 = plaintext[-4:]
        self.status = self.Status.UNVERIFIED
        self.status_message = ""
        self.checked_at = None

    def plaintext_key(self) -> str:
        """Decrypt the key, for the outgoing Authorization header only."""
        return decrypt(self.key_ciphertext)

    @property
    def masked(self) -> str:
        return f"•••• {self.last4}"

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.OK, self.Status.NOT_ADMIN)

    def record_check(self, status: str, message: str = "") -> None:
        self.status = status
        self.status_message = message[:300]
        self.checked_at = timezone.now()
        self.save(update_fields=["status", "status_message", "checked_at", "updated_at"])
