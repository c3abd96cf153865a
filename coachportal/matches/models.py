"""Football matches registered with AI on the Ball, and the secret of each organization's webhook URL."""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models

from coachportal.organizations.models import Organization, OrganizationScopedQuerySet, hash_token
from coachportal.providers.aiontheball.types import VIDEO_FAILED, VIDEO_READY
from coachportal.storage import keys, purge

# The provider's video and analysis statuses are kept as the provider spells them (providers.aiontheball
# names them), plus our own states before the provider knows the video.
# The provider has its own copy of the video and has read it (not merely downloaded: that may still fail).
PROVIDER_HAS_FILE = (VIDEO_READY,)
# A claim to create something at the provider (register_claimed_at, analysis_claimed_at) older than this
# belongs to a try presumed dead.
CLAIM_TIMEOUT = timedelta(minutes=5)

VIDEO_LABELS = {
    "": "Not sent yet",
    "registering": "Sending to AI on the Ball",
    "rejected": "Refused by AI on the Ball",
    "created": "Registered",
    "init": "Registered",
    "downloading": "AI on the Ball is downloading the video",
    "locally_available": "AI on the Ball is preparing the video",
    "available": "Video ready",
    "error": "AI on the Ball could not download or read the video",
    "no_match_detected": "No football match detected in the video",
}
ANALYSIS_LABELS = {
    "": "Not started",
    "init": "Starting",
    "waiting_for_video": "Waiting for the video",
    "running": "Analysing",
    "aggregating": "Putting the results together",
    "done": "Done",
    "error": "Failed",
}


def match_file_key(org: Organization, extension: str = "mp4") -> str:
    return keys.new_name("matches", org.pk, extension)


class MatchQuerySet(OrganizationScopedQuerySet):
    def unfinished(self):
        """Matches whose state will still change at the provider without anyone doing anything."""
        return self.exclude(phase__in=[Match.Phase.DONE, Match.Phase.FAILED, Match.Phase.NOT_ANALYSED])

    def newest_first(self):
        return self.order_by("-created_at", "-id")

    def local_copy_older_than(self, cutoff):
        """Matches whose stored file the provider has had its own copy of since before `cutoff`."""
        since_before = models.Q(provider_has_file_at__lt=cutoff) | models.Q(
            # Matches followed before the time was recorded: the last change is the best clue.
            provider_has_file_at__isnull=True,
            video_status__in=PROVIDER_HAS_FILE,
            updated_at__lt=cutoff,
        )
        return self.filter(since_before, file_purged_at__isnull=True).exclude(file="").exclude(file=None)


class Match(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded file"
        URL = "url", "Video URL"
        # Mirrored from the provider's video list (history): no local file, never created by the portal.
        PROVIDER = "provider", "Already at AI on the Ball"

    class Phase(models.TextChoices):
        """Where the match is on its way to a finished analysis (derived from the provider's statuses)."""

        REGISTERING = "registering", "Sending to AI on the Ball"
        VIDEO = "video", "Video being prepared"
        ANALYSING = "analysing", "Analysing"
        DONE = "done", "Analysed"
        FAILED = "failed", "Failed"
        # A mirrored video nobody has analysed: the portal does not start analyses it did not register.
        NOT_ANALYSED = "not_analysed", "Not analysed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="matches")
    session = models.OneToOneField(
        "library.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="match"
    )
    title = models.CharField(max_length=200)
    home_team = models.CharField(max_length=100, blank=True)
    away_team = models.CharField(max_length=100, blank=True)
    played_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    file = models.FileField(max_length=300, null=True, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    # What the provider downloads: the pasted URL (source "url"); empty for uploads, whose URL is
    # signed afresh each time it is sent.
    video_url = models.URLField(max_length=2000, blank=True)
    # Scheme and host the provider can reach this portal on (from the registering request).
    public_base = models.CharField(max_length=300, blank=True)
    provider_video_id = models.CharField(max_length=40, blank=True, db_index=True)
    mp4_url = models.URLField(max_length=2000, blank=True)  # the provider's playable copy
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    video_status = models.CharField(max_length=30, blank=True)
    analysis_id = models.CharField(max_length=64, blank=True, db_index=True)
    analysis_status = models.CharField(max_length=30, blank=True)
    analysis_progress = models.PositiveSmallIntegerField(default=0)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.REGISTERING)
    last_error = models.CharField(max_length=500, blank=True)
    summary = models.JSONField(null=True, blank=True)
    events = models.JSONField(null=True, blank=True)
    # Claims (conditional UPDATEs) so two workers never register a video or start an analysis twice.
    register_claimed_at = models.DateTimeField(null=True, blank=True)
    analysis_claimed_at = models.DateTimeField(null=True, blank=True)
    # Polling: the one scheduled follow-up chain carries this token; others only take one step.
    poll_token = models.CharField(max_length=32, blank=True)
    polls = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    poll_requested_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the history sync last saw the video in the provider's list (deletions are reconciled by it).
    provider_seen_at = models.DateTimeField(null=True, blank=True)
    # When the provider first had its own copy of the video; the stored file is purged some days later.
    provider_has_file_at = models.DateTimeField(null=True, blank=True)
    file_purged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="match_org_created"),
            models.Index(fields=["organization", "analysis_id"], name="match_org_analysis"),
        ]

    def __str__(self):
        return self.title

    @property
    def teams(self) -> str:
        if self.home_team or self.away_team:
            return f"{self.home_team or 'Home'} – {self.away_team or 'Away'}"
        return ""

    forget_local_copy = purge.forget_local_copy

    @property
    def is_finished(self) -> bool:
        """Nothing will change without someone acting (so nobody needs to poll the provider)."""
        return self.phase in (self.Phase.DONE, self.Phase.FAILED, self.Phase.NOT_ANALYSED)

    @property
    def from_history(self) -> bool:
        return self.source == self.Source.PROVIDER

    @property
    def video_status_label(self) -> str:
        return VIDEO_LABELS.get(self.video_status, self.video_status.replace("_", " ").capitalize())

    @property
    def analysis_status_label(self) -> str:
        return ANALYSIS_LABELS.get(self.analysis_status, self.analysis_status.replace("_", " ").capitalize())

    def derive_phase(self) -> str:
        """Work out the phase from the provider's statuses (the one place that decides it)."""
        if self.video_status in ("rejected", *VIDEO_FAILED) or self.analysis_status == "error":
            return self.Phase.FAILED
        if self.analysis_status == "done" and self.summary is not None and self.events is not None:
            return self.Phase.DONE
        if self.from_history and not self.analysis_id and self.video_status == "available":
            return self.Phase.NOT_ANALYSED
        if self.analysis_id or self.video_status == "available":
            return self.Phase.ANALYSING
        if self.provider_video_id:
            return self.Phase.VIDEO
        return self.Phase.REGISTERING


class WebhookEndpoint(models.Model):
    """The unguessable secret in an organization's AI on the Ball webhook URL, kept as a hash.

    The docs define no signature, so the secret in the URL is the only proof a delivery is genuine. Only
    its SHA-256 and last four characters are stored (like an invitation token): the full address is shown
    once, when it is made, and a database leak does not let anyone post progress into the portal.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="aiontheball_webhook"
    )
    secret_hash = models.CharField(max_length=64)
    secret_last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"webhook of {self.organization_id}"

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def rotate(cls, org: Organization) -> str:
        """Give `org` a new secret (the old one stops working); return it, the only time it is seen."""
        secret = cls.new_secret()
        cls.objects.update_or_create(
            organization=org, defaults={"secret_hash": hash_token(secret), "secret_last4": secret[-4:]}
        )
        return secret

    def accepts(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, hash_token(secret))


class WebhookReceipt(models.Model):
    """One row per distinct delivery, so a duplicate delivery changes nothing the second time."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    match = models.ForeignKey(Match, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="matches_one_receipt_per_delivery")
        ]

    def __str__(self):
        return self.key
