"""A notification for one person in one organization, its email's delivery state, and who wants which."""

from django.conf import settings
from django.db import models

from coachportal.organizations.models import Organization, Role


class Kind(models.TextChoices):
    UPLOAD_FAILED = "upload_failed", "An upload of mine failed"
    SESSION_READY = "session_ready", "A session I uploaded has been analysed"
    SHARE_VIEWED = "share_viewed", "A link I shared was opened for the first time"
    DAILY_DIGEST = "daily_digest", "A daily digest of the organization's new sessions"


def default_wanted(kind: str, role: str) -> bool:
    """Without a saved choice: everything, except the digest, which is for coaches."""
    return kind != Kind.DAILY_DIGEST or role == Role.COACH


class NotificationQuerySet(models.QuerySet):
    def shown_to(self, user, org):
        return self.filter(recipient=user, organization=org, in_app=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    class Email(models.TextChoices):
        NONE = "none", "Not emailed"
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # One event (this upload failing on this attempt, this link's first view, ...) notifies a person once.
    event_key = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path in the portal
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=Email.choices, default=Email.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_at = models.DateTimeField(null=True, blank=True)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event")
        ]
        indexes = [
            models.Index(fields=["recipient", "organization", "-created_at"], name="notification_inbox"),
            models.Index(fields=["email_state", "email_next_at"], name="notification_email_due"),
        ]

    def __str__(self):
        return self.title[:200]


class Preference(models.Model):
    """A person's choice for one kind in one organization; no row means default_wanted()."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "kind"], name="notification_one_preference"
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.organization_id}/{self.kind}"
