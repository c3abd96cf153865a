"""A read-only link to one object of an organization: a kind and the object's id(s), a hashed token."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from coachportal.organizations.models import Organization

from .signals import first_viewed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLinkQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organization=org)

    def of(self, kind: str, object_id: int):
        return self.filter(kind=kind, object_id=object_id)

    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def newest_first(self):
        return self.select_related("created_by").order_by("-created_at", "-id")


class ShareLink(models.Model):
    class Kind(models.TextChoices):
        SESSION = "session", "Session"
        # An athlete's profile (object_id: the athlete; query: the date range, fixed when the link was made)
        # and a comparison (object_id + extra_ids: the sessions in order; query: the compare page's ids
        # and offsets).
        ATHLETE = "athlete", "Athlete"
        COMPARISON = "comparison", "Comparison"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    extra_ids = models.JSONField(default=list, blank=True)
    label = models.CharField(max_length=300, blank=True)  # what the link shows, as it was when created
    query = models.CharField(max_length=500, blank=True)  # the shown page's query string (range, offsets)
    note = models.TextField(max_length=500, blank=True)  # for the recipient
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    views = models.PositiveIntegerField(default=0)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    # Rate limit per link: requests counted in a one-minute window, shared by every web process.
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_hits = models.PositiveIntegerField(default=0)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="sharing_org_created"),
            models.Index(fields=["organization", "kind", "object_id"], name="sharing_org_object"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} link: {self.label}"[:200]

    @property
    def object_ids(self) -> list[int]:
        """Every object the link shows, in order (a comparison's sessions; one id otherwise)."""
        return [self.object_id, *self.extra_ids]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state(self) -> str:
        return "revoked" if self.is_revoked else "expired" if self.is_expired else "active"

    def count_view(self, *, limit: int, window: timedelta) -> bool:
        """Count one view unless `limit` views already came within `window`; say whether it was allowed.

        Two conditional UPDATEs, so concurrent requests in several processes never over-admit.
        """
        now = timezone.now()
        seen = {"views": F("views") + 1, "last_viewed_at": now}
        same_window = ShareLink.objects.filter(
            pk=self.pk, window_started_at__gt=now - window, window_hits__lt=limit
        )
        if same_window.update(window_hits=F("window_hits") + 1, **seen):
            allowed = True
        else:
            new_window = ShareLink.objects.filter(pk=self.pk).filter(
                Q(window_started_at__isnull=True) | Q(window_started_at__lte=now - window)
            )
            allowed = bool(new_window.update(window_started_at=now, window_hits=1, **seen))
        first = allowed and self.first_viewed_at is None
        if first and ShareLink.objects.filter(pk=self.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now
        ):
            self.first_viewed_at = now
            first_viewed.send(ShareLink, link=self)
        return allowed
