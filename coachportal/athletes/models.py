from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from coachportal.organizations.models import Membership, Organization, OrganizationScopedQuerySet, Role

NAME_MAX = 200
USER_ID_MAX = 100
GENDER_MAX = 30

# The body attributes AiKYNETIX keeps per client, in its units (reference 12.1: height 174 cm,
# weight 70 kg, leg_length 0.909 m, age "22" as a string).
ATTRIBUTES = ("height", "weight", "leg_length", "gender", "age")


def normalize_user_id(value: str | None) -> str | None:
    """Trim an AiKYNETIX user id; blank means "none" and is stored as NULL."""
    value = (value or "").strip()
    return value or None


def normalize_email(value: str | None) -> str:
    return (value or "").strip().lower()


class AthleteQuerySet(OrganizationScopedQuerySet):
    def active(self):
        return self.filter(active=True)

    def archived(self):
        return self.filter(active=False)

    def search(self, text: str):
        """Keep athletes whose name, email or AiKYNETIX user id contains every word of `text`."""
        query = self
        for word in text.split():
            query = query.filter(
                Q(name__icontains=word) | Q(email__icontains=word) | Q(aikynetix_user_id__icontains=word)
            )
        return query

    def coached_by(self, membership):
        """The athletes assigned to this member of the organization (their coach)."""
        return self.filter(organization_id=membership.organization_id, coaches=membership)

    def by_name(self):
        return self.order_by(Lower("name"), "pk")

    def with_session_counts(self):
        """Annotate `session_count` (sessions not deleted) on each athlete, in the same query."""
        return self.annotate(session_count=Count("sessions", filter=~Q(sessions__status="deleted")))


class Athlete(models.Model):
    class ProviderState(models.TextChoices):
        """How far the roster knows the athlete's AiKYNETIX client."""

        NONE = "", "No AiKYNETIX client"
        VERIFIED = "verified", "In AiKYNETIX"
        # A typed id the provider could not be asked about yet (down, or no key): the roster sync checks it.
        UNVERIFIED = "unverified", "Not yet verified"
        # Asked to be created in AiKYNETIX, but the provider could not be reached: retry from the page.
        PENDING = "pending", "Not yet in AiKYNETIX"
        # The roster sync found no client with this id under the organization's key.
        MISSING = "missing", "Not found in AiKYNETIX"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="athletes")
    name = models.CharField(max_length=NAME_MAX)
    email = models.EmailField(blank=True)
    # NULL, not "", means "none": the conditional unique constraint below then ignores those rows.
    aikynetix_user_id = models.CharField(  # noqa: DJ001
        "AiKYNETIX user id",
        max_length=USER_ID_MAX,
        null=True,
        blank=True,
        help_text="The athlete's user id in AiKYNETIX; uploads for this athlete are sent to it.",
    )
    aikynetix_state = models.CharField(
        "AiKYNETIX state",
        max_length=12,
        choices=ProviderState.choices,
        default=ProviderState.NONE,
        blank=True,
    )
    aikynetix_checked_at = models.DateTimeField("AiKYNETIX id last checked", null=True, blank=True)
    height = models.FloatField(
        "Height (cm)", null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(250)]
    )
    weight = models.FloatField(
        "Weight (kg)", null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    leg_length = models.FloatField(
        "Leg length (m)", null=True, blank=True, validators=[MinValueValidator(0.3), MaxValueValidator(1.5)]
    )
    gender = models.CharField(max_length=GENDER_MAX, blank=True)
    age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(3), MaxValueValidator(120)]
    )
    # The attribute values AiKYNETIX last held as far as we know (what we last wrote or read). The sync
    # compares the provider's values with this: a difference means someone changed them upstream after
    # our last write, and the provider's values win.
    provider_attributes = models.JSONField(default=dict, blank=True)
    attributes_written_at = models.DateTimeField(null=True, blank=True)
    attributes_refreshed_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    # The organization's coaches who look after this athlete (admins and owners assign them). Through
    # the membership, so leaving the organization ends the assignment.
    coaches = models.ManyToManyField(Membership, related_name="athletes", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AthleteQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            # NULL means "no user id"; many athletes may have none, but a set one belongs to one athlete.
            models.UniqueConstraint(
                fields=["organization", "aikynetix_user_id"],
                condition=Q(aikynetix_user_id__isnull=False),
                name="athlete_unique_aikynetix_user_id_per_org",
                violation_error_message="Another athlete in this organization has this AiKYNETIX user id.",
            ),
            models.CheckConstraint(
                condition=~Q(aikynetix_user_id=""), name="athlete_blank_aikynetix_user_id_is_null"
            ),
        ]
        indexes = [models.Index("organization", Lower("email"), name="athlete_org_email")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)

    def normalize(self) -> None:
        """Trim what people type; blank user ids become NULL, emails become lowercase."""
        self.name = (self.name or "").strip()
        self.email = normalize_email(self.email)
        self.aikynetix_user_id = normalize_user_id(self.aikynetix_user_id)
        self.notes = (self.notes or "").strip()
        self.gender = (self.gender or "").strip()
        if not self.aikynetix_user_id and self.aikynetix_state != self.ProviderState.PENDING:
            self.aikynetix_state = self.ProviderState.NONE

    def set_archived(self, archived: bool) -> bool:
        """Archive the athlete (hidden from the roster and pickers, sessions kept) or bring them back.

        Return whether it changed anything.
        """
        active = not archived
        if self.active == active:
            return False
        self.active = active
        self.updated_at = timezone.now()
        self.save(update_fields=["active", "updated_at"])
        return True

    def attribute_values(self) -> dict:
        """The body attributes as AiKYNETIX names them, without the empty ones."""
        values = {name: getattr(self, name) for name in ATTRIBUTES}
        return {name: value for name, value in values.items() if value not in (None, "")}

    @property
    def attributes_unsent(self) -> bool:
        """Whether the portal holds attribute values AiKYNETIX has not been sent yet."""
        snapshot = self.provider_attributes or {}
        return bool(self.aikynetix_user_id) and any(
            snapshot.get(name) != value for name, value in self.attribute_values().items()
        )

    def has_sessions(self) -> bool:
        """Say whether any session (not deleted) belongs to this athlete: then archive, not delete."""
        return self.sessions.exclude(status="deleted").exists()


def assignable_coaches(org):
    """The memberships an athlete of `org` may be assigned to: its coaches, by name."""
    return (
        Membership.objects.filter(organization=org, role=Role.COACH)
        .select_related("user")
        .order_by("user__name", "user__email", "pk")
    )
