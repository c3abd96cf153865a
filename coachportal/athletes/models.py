from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils import timezone

from coachportal.organizations.models import Organization

NAME_MAX = 200
USER_ID_MAX = 100


def normalize_user_id(value: str | None) -> str | None:
    """Trim an AiKYNETIX user id; blank means "none" and is stored as NULL."""
    value = (value or "").strip()
    return value or None


def normalize_email(value: str | None) -> str:
    return (value or "").strip().lower()


class AthleteQuerySet(models.QuerySet):
    def for_org(self, org: Organization):
        return self.filter(organization=org)

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

    def by_name(self):
        return self.order_by(Lower("name"), "pk")

    def with_session_counts(self):
        """Annotate `session_count` (sessions not deleted) on each athlete, in the same query."""
        return self.annotate(session_count=Count("sessions", filter=~Q(sessions__status="deleted")))


class Athlete(models.Model):
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
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
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

    @property
    def is_archived(self) -> bool:
        return not self.active

    def archive(self) -> bool:
        """Hide the athlete from the roster and pickers, keeping their sessions. Return whether it changed."""
        if not self.active:
            return False
        self.active = False
        self.updated_at = timezone.now()
        self.save(update_fields=["active", "updated_at"])
        return True

    def restore(self) -> bool:
        """Bring an archived athlete back to the roster. Return whether it changed."""
        if self.active:
            return False
        self.active = True
        self.updated_at = timezone.now()
        self.save(update_fields=["active", "updated_at"])
        return True

    def has_sessions(self) -> bool:
        """Say whether any session (not deleted) belongs to this athlete: then archive, not delete."""
        return self.sessions.exclude(status="deleted").exists()
