"""Uploads: a video an admin or coach sent for an athlete, stored here until the provider has it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from coachportal.organizations.models import Organization, OrganizationScopedQuerySet, Provider
from coachportal.organizations.provider_messages import FOREIGN_ATHLETE_ID
from coachportal.providers import aikynetix
from coachportal.sessions.models import Activity as LibraryActivity
from coachportal.storage import keys, purge

from .signals import uploads_settled

# A claim on an upload older than this belongs to a worker presumed dead: the next run looks the
# session up on the provider before it sends the file again.
STALE_CLAIM = timedelta(minutes=15)

KG_PER_LB = Decimal("0.45359237")


# The activities AiKYNETIX takes uploads of, labelled as the library labels them (one source for both).
Activity = models.TextChoices(
    "Activity", [(a.name, (a.value, LibraryActivity(a.value).label)) for a in aikynetix.Activity]
)


class JumpExercise(models.TextChoices):
    COUNTERMOVEMENT = "Countermovement Jump", "Countermovement jump"
    DROP = "Drop Jump", "Drop jump"


class LiftExercise(models.TextChoices):
    SNATCH = "snatch", "Snatch"
    CLEAN = "clean", "Clean"
    CLEAN_AND_JERK = "clean_and_jerk", "Clean and jerk"


class MassUnit(models.TextChoices):
    KG = "kg", "kg"
    LB = "lb", "lb"


def storage_key(org: Organization, extension: str) -> str:
    return keys.new_name("uploads", org.pk, extension)


class UploadQuerySet(OrganizationScopedQuerySet):
    def failed(self):
        return self.filter(state=Upload.State.FAILED)

    def stale_claims(self, now=None):
        now = now or timezone.now()
        return self.filter(state=Upload.State.SENDING, claimed_at__lt=now - STALE_CLAIM)

    def recent_first(self):
        return self.order_by("-created_at", "-pk")

    def local_copy_older_than(self, cutoff):
        """Forwarded uploads whose local file was sent to the provider before `cutoff`."""
        return self.filter(
            state__in=Upload.FORWARDED, sent_at__lt=cutoff, file_purged_at__isnull=True
        ).exclude(file="")


class Upload(models.Model):
    class State(models.TextChoices):
        STORED = "stored", "Stored, waiting to send"
        SENDING = "sending", "Sending to AiKYNETIX"
        SENT = "sent", "Sent"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Target(models.TextChoices):
        ATHLETE = "athlete", "An athlete"
        OWN = "own", "The key owner's own account"

    IN_FLIGHT = (State.STORED, State.SENDING, State.SENT, State.PROCESSING)
    FORWARDED = (State.SENT, State.PROCESSING, State.DONE)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.ATHLETE)
    # The athlete's provider user id when the upload was made: a later roster edit must not redirect it.
    provider_user_id = models.CharField(max_length=100, blank=True)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.AIKYNETIX)
    activity = models.CharField(max_length=20, choices=Activity.choices)
    title = models.CharField(max_length=200)
    incline_degree = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    exercise = models.CharField(max_length=40, blank=True)
    barbell_mass = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    barbell_unit = models.CharField(max_length=2, choices=MassUnit.choices, default=MassUnit.KG)
    file = models.FileField(max_length=300, blank=True)
    original_filename = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.STORED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set when the provider may have received the file without our knowing (an ambiguous failure, or a
    # worker that died while sending): the next attempt looks the session up before sending.
    needs_lookup = models.BooleanField(default=False)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    external_session_id = models.CharField(max_length=100, blank=True)
    session = models.ForeignKey(
        "library.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    file_purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="upload_org_created"),
            models.Index(fields=["state", "claimed_at"], name="upload_state_claimed"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "external_session_id"],
                condition=~Q(external_session_id=""),
                name="upload_one_per_external_session",
            )
        ]

    def __str__(self):
        return self.title or self.original_filename

    # Reading ------------------------------------------------------------------------------------------

    @property
    def athlete_needs_fixing(self) -> bool:
        """Failed because AiKYNETIX does not know the athlete's stored id: the fix is on the athlete."""
        return (
            bool(self.athlete_id)
            and self.state == self.State.FAILED
            and self.last_error == FOREIGN_ATHLETE_ID
        )

    @property
    def is_in_flight(self) -> bool:
        return self.state in self.IN_FLIGHT

    @property
    def is_failed(self) -> bool:
        return self.state == self.State.FAILED

    @property
    def is_stuck(self) -> bool:
        """A claim so old that its worker must have died; a retry reconciles it."""
        return (
            self.state == self.State.SENDING
            and self.claimed_at is not None
            and self.claimed_at < timezone.now() - STALE_CLAIM
        )

    @property
    def can_retry(self) -> bool:
        return self.is_failed or self.is_stuck

    @property
    def has_local_copy(self) -> bool:
        return bool(self.file) and self.file_purged_at is None

    @property
    def exercise_label(self) -> str:
        labels = dict(JumpExercise.choices) | dict(LiftExercise.choices)
        return labels.get(self.exercise, self.exercise)

    @property
    def barbell_mass_kg(self) -> Decimal | None:
        """The mass as AiKYNETIX expects it (kilograms), whatever unit was typed."""
        if self.barbell_mass is None:
            return None
        if self.barbell_unit == MassUnit.LB:
            return (self.barbell_mass * KG_PER_LB).quantize(Decimal("0.1"))
        return self.barbell_mass

    # Transitions: each is a conditional UPDATE, so two workers can never both move the same upload.

    def _move(self, allowed: Q, **changes) -> bool:
        changes["updated_at"] = timezone.now()
        moved = Upload.objects.filter(Q(pk=self.pk) & allowed).update(**changes) == 1
        if moved:
            for name, value in changes.items():
                setattr(self, name, value)
        return moved

    def claim(self, token: str, *, now=None) -> bool:
        """Take the upload for one forwarding attempt (from stored, or from a dead worker's claim)."""
        now = now or timezone.now()
        if self._move(
            Q(state=self.State.STORED),
            state=self.State.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            next_attempt_at=None,
        ):
            self.refresh_from_db(fields=["attempts"])
            return True
        # A stale claim: the file may have reached the provider, so the attempt must look first.
        if self._move(
            Q(state=self.State.SENDING, claimed_at__lt=now - STALE_CLAIM),
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
            needs_lookup=True,
        ):
            self.refresh_from_db(fields=["attempts"])
            return True
        return False

    def _mine(self, token: str) -> Q:
        return Q(state=self.State.SENDING, claim_token=token)

    def mark_sent(self, session_id: str, title: str, *, token: str) -> bool:
        return self._move(
            self._mine(token),
            state=self.State.SENT,
            external_session_id=session_id,
            title=(title or self.title)[:200],
            claim_token="",
            claimed_at=None,
            needs_lookup=False,
            last_error="",
            sent_at=timezone.now(),
        )

    def mark_processing(self, session) -> bool:
        return self._move(Q(state=self.State.SENT), state=self.State.PROCESSING, session=session)

    def release_for_retry(self, error: str, *, token: str, delay: timedelta, needs_lookup: bool) -> bool:
        """Put the upload back to stored after a transient failure; the task tries again after `delay`."""
        return self._move(
            self._mine(token),
            state=self.State.STORED,
            last_error=error[:2000],
            needs_lookup=needs_lookup or self.needs_lookup,
            claim_token="",
            claimed_at=None,
            next_attempt_at=timezone.now() + delay,
        )

    def mark_failed(self, reason: str, *, token: str | None = None, needs_lookup: bool | None = None) -> bool:
        """Stop trying and say why; the stored file stays until someone discards the upload."""
        allowed = self._mine(token) if token else Q(state__in=self.IN_FLIGHT)
        changes = {
            "state": self.State.FAILED,
            "last_error": reason[:2000],
            "claim_token": "",
            "claimed_at": None,
        }
        changes["next_attempt_at"] = None
        if needs_lookup is not None:
            changes["needs_lookup"] = needs_lookup or self.needs_lookup
        moved = self._move(allowed, **changes)
        if moved:
            uploads_settled.send(Upload, organization_id=self.organization_id, upload_ids=[self.pk])
        return moved

    def mark_for_retry(self) -> bool:
        """A person asked to try again: failed (or stuck) uploads go back to stored with fresh attempts."""
        stuck = Q(state=self.State.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM)
        # A stuck claim may have reached the provider: the retry looks before sending.
        return self._move(
            Q(state=self.State.FAILED) | stuck,
            state=self.State.STORED,
            attempts=0,
            claim_token="",
            claimed_at=None,
            next_attempt_at=None,
            needs_lookup=self.needs_lookup or self.state == self.State.SENDING,
        )

    forget_local_copy = purge.forget_local_copy
