"""The local mirror of the provider's sessions, and the per-organization sync state."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coachportal.organizations.models import Organization, OrganizationScopedQuerySet, Provider
from coachportal.providers import aikynetix
from coachportal.sessions.title_search import filter_titles


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


class Activity(models.TextChoices):
    """What a session analyses, as coaches read it. The codes of AiKYNETIX's activities are the provider's
    (providers.aikynetix maps its session labels to them); a new provider or activity only adds a member."""

    RUNNING = aikynetix.Activity.RUNNING.value, "Running"
    JUMPING = aikynetix.Activity.JUMPING.value, "Vertical jump"
    WEIGHTLIFTING = aikynetix.Activity.WEIGHTLIFTING.value, "Weightlifting"
    MOBILITY = aikynetix.MOBILITY, "Mobility assessment"
    MATCH = "match", "Match"  # AI on the Ball football matches (coachportal.matches)

    @classmethod
    def label_for(cls, code: str) -> str:
        try:
            return cls(code).label
        except ValueError:
            return code.replace("-", " ").capitalize()


def exercise_label(exercise: str) -> str:
    """The exercise as people write it: "clean_and_jerk" reads "Clean and jerk"."""
    text = exercise.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class SessionQuerySet(OrganizationScopedQuerySet):
    def visible(self):
        """Sessions a coach sees: everything but what was deleted (here or upstream)."""
        return self.exclude(status=Session.Status.DELETED)

    def without_thumbnail(self):
        """Ready sessions with an analysed video whose poster frame was never attempted."""
        return (
            self.ready().exclude(analyzed_video_url="").filter(thumbnail="", thumbnail_tried_at__isnull=True)
        )

    def unassigned(self):
        """Sessions of people not on the roster (matches have teams, not athletes)."""
        return self.filter(athlete__isnull=True).exclude(activity=Activity.MATCH)

    def processing(self):
        return self.filter(status=Session.Status.PROCESSING)

    def ready(self):
        return self.filter(status=Session.Status.READY)

    def failed(self):
        return self.filter(status=Session.Status.FAILED)

    def for_athlete(self, athlete):
        return self.filter(athlete=athlete)

    def of_activity(self, activity: str):
        return self.filter(activity=activity)

    def recorded_between(self, start=None, end=None):
        """Keep sessions recorded from the start of day `start` to the end of day `end` (inclusive).

        Days are those of the current time zone, compared as a half-open range on the column itself
        so the (organization, recorded_at) index serves it; `recorded_at__date` would cast every row.
        """
        query = self
        if start is not None:
            query = query.filter(recorded_at__gte=start_of_day(start))
        if end is not None:
            query = query.filter(recorded_at__lt=start_of_day(end + timedelta(days=1)))
        return query

    def title_search(self, text: str):
        """Sessions whose title has each typed word, the last one possibly unfinished (title_search.py)."""
        return filter_titles(self, text)

    def newest_first(self):
        return self.order_by("-recorded_at", "-id")

    def for_list(self):
        """Load what a library row shows, without the heavy JSON columns."""
        return self.select_related("athlete").defer("raw", "metrics", "report_comments", "segments")


class Session(models.Model):
    class Status(models.TextChoices):
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        DELETED = "deleted", "Deleted"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="library_sessions")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.AIKYNETIX)
    external_id = models.CharField(max_length=100)
    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    # Set when someone assigned the session to an athlete by hand: the sync then keeps that athlete
    # instead of the one its provider user id maps to (none, for a person not on the roster).
    athlete_set_by_hand = models.BooleanField(default=False)
    provider_user_id = models.CharField(max_length=100, blank=True)
    provider_user_name = models.CharField(max_length=200, blank=True)
    activity = models.CharField(max_length=30, default=Activity.RUNNING)
    exercise = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300, blank=True)
    # The provider's created_at (treated as UTC); when it has none, the time we first saw the session.
    recorded_at = models.DateTimeField(default=timezone.now)
    video_url = models.URLField(max_length=2000, blank=True)
    analyzed_video_url = models.URLField(max_length=2000, blank=True)
    # None: the URL carries no expiry we could read (treated as stable until playback says otherwise).
    analyzed_video_expires_at = models.DateTimeField(null=True, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    key_metrics = models.JSONField(default=dict, blank=True)  # the few numbers a library row shows
    # A poster frame of the analysed video in the default storage, made once in the background.
    thumbnail = models.CharField(max_length=200, blank=True)
    thumbnail_tried_at = models.DateTimeField(null=True, blank=True)
    report_comments = models.JSONField(default=dict, blank=True)
    segments = models.JSONField(null=True, blank=True)
    # The analysed video's frame rate, probed once when the provider does not state it (timing.py).
    frame_rate = models.FloatField(null=True, blank=True)
    frame_rate_checked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROCESSING)
    raw = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "external_id"], name="library_session_unique_external_id"
            )
        ]
        indexes = [
            # The library's default listing and the date-range filter: newest first within one org.
            models.Index(fields=["organization", "-recorded_at", "-id"], name="library_org_recorded"),
            models.Index(fields=["organization", "athlete", "-recorded_at"], name="library_org_athlete"),
            # The athlete profile: sessions per activity (an index-only count) and each activity's latest.
            models.Index(
                fields=["organization", "athlete", "activity", "status", "-recorded_at"],
                name="library_athlete_activity",
            ),
            models.Index(fields=["organization", "activity", "-recorded_at"], name="library_org_activity"),
            models.Index(fields=["organization", "status", "-recorded_at"], name="library_org_status"),
            models.Index("organization", Lower("title"), name="library_org_title"),
            # The "Title A to Z" / "Z to A" sorts order by (title, id); a backward scan serves Z to A.
            models.Index(fields=["organization", "title", "id"], name="library_org_title_sort"),
            models.Index(fields=["organization", "provider_user_id"], name="library_org_user"),
        ]

    def __str__(self):
        return self.title or self.external_id

    @property
    def activity_label(self) -> str:
        return Activity.label_for(self.activity)

    @property
    def exercise_label(self) -> str:
        """The exercise as people write it: "clean_and_jerk" reads "Clean and jerk"."""
        return exercise_label(self.exercise)

    @property
    def is_processing(self) -> bool:
        return self.status == self.Status.PROCESSING

    @property
    def athlete_display(self) -> str:
        if self.athlete_id:
            return self.athlete.name
        return self.provider_user_name or self.provider_user_id or ""

    def analyzed_video_needs_refresh(self, *, margin: timedelta = timedelta(minutes=2)) -> bool:
        """Say whether the cached analysed-video URL has expired or is about to."""
        return bool(
            self.analyzed_video_url
            and self.analyzed_video_expires_at is not None
            and self.analyzed_video_expires_at <= timezone.now() + margin
        )


class SyncState(models.Model):
    """One row per organization and provider: who is syncing now, and how the last sync went.

    A sync claims the row with a conditional UPDATE (see claims.claim), so two never run at once.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.AIKYNETIX)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "provider"], name="library_one_sync_state")
        ]

    def __str__(self):
        return f"sync of {self.organization_id}/{self.provider}"

    @property
    def failed_last_time(self) -> bool:
        return bool(self.last_error) and (
            self.last_success_at is None
            or (self.last_error_at or self.last_success_at) > self.last_success_at
        )

    def is_stale(self, after: timedelta) -> bool:
        return self.last_attempt_at is None or self.last_attempt_at < timezone.now() - after


class BackgroundFile(models.Model):
    """A file too slow to make within one web request (a large CSV export, a long PDF report), written to
    storage by a task with progress, downloaded by the member who asked for it until it expires. The
    steps are the job's own (rows of a CSV, sessions and frames of a report); export_jobs.py runs them."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=300, blank=True)  # in the default storage
    download_url = models.URLField(max_length=500, blank=True)  # absolute, for the email
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_written * 100 // self.rows_total) if self.rows_total else 0


class SessionExport(BackgroundFile):
    """A CSV export too large to stream within one web request, written to storage by a task."""

    query = models.CharField(max_length=2000, blank=True)  # the library filters, as a query string

    class Meta:
        indexes = [
            models.Index(fields=["organization", "requested_by", "-created_at"], name="library_export_by")
        ]

    def __str__(self):
        return f"export {self.pk} of {self.organization_id}"


class SessionMetric(models.Model):
    """One key metric of one session (see catalogue.KEY_METRICS), stored so trends and compare read an
    index instead of parsing every session's JSON. Values are in the provider's units; the catalogue
    converts them for display. Written by the sync (stored_metrics.py), never by hand.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="key_metric_rows")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # Copied from the session (kept in step by stored_metrics) so a per-athlete series is one index range.
    athlete = models.ForeignKey(
        "athletes.Athlete", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    value = models.FloatField(null=True)  # the session's headline: best or mean, as the catalogue says
    best = models.FloatField(null=True)  # none for a metric where neither direction is better
    mean = models.FloatField(null=True)
    n = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="library_metric_one_per_session")
        ]
        indexes = [
            # An athlete's key metrics over a date range (the profile's charts, all activities at once).
            models.Index(
                fields=["organization", "athlete", "recorded_at"], name="library_metric_athlete_time"
            ),
            # An athlete's trend of one metric of one activity, in time order.
            models.Index(
                fields=["organization", "athlete", "activity", "key", "recorded_at"],
                name="library_metric_series",
            ),
            # An athlete's personal best of one metric: the first entry of a walk in value order.
            models.Index(
                fields=["organization", "athlete", "activity", "key", "value"],
                name="library_metric_athlete_best",
            ),
            # The organization's median of a metric: an index-ordered walk to the middle value (by
            # stored_metrics when rows change; pages read MetricMedian).
            models.Index(
                fields=["organization", "activity", "key", "value"], name="library_metric_org_values"
            ),
        ]

    def __str__(self):
        return f"{self.key} of session {self.session_id}"


class MetricMedian(models.Model):
    """The organization's median session value of one key metric, stored by stored_metrics whenever its
    SessionMetric rows change, so the athlete profile reads one row instead of walking every value."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    value = models.FloatField(null=True)  # provider units; None when no session has a value
    sessions = models.PositiveIntegerField(default=0)  # values the median is of
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "activity", "key"], name="library_median_one_per_metric"
            )
        ]

    def __str__(self):
        return f"median {self.key} of {self.activity} in {self.organization_id}"


class MetricPeriod(models.Model):
    """An athlete's sessions of one key metric over one week or month of the organization's time zone,
    summed up (stored by sessions.periods whenever the SessionMetric rows under it change), so the profile
    draws a long range from a few rows per chart instead of grouping every session's row per request.

    The same numbers the profile's buckets sum up in SQL: first and last time, sessions, the extremes of
    the sessions' bests and headline values, and the sums and counts behind their means.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    athlete = models.ForeignKey("athletes.Athlete", on_delete=models.CASCADE, related_name="+")
    activity = models.CharField(max_length=30)
    key = models.CharField(max_length=60)
    kind = models.CharField(max_length=5)  # "week" (from Monday) or "month"
    start = models.DateTimeField()  # local midnight of the period's first day, in `zone`
    zone = models.CharField(max_length=64)  # the organization's time zone the period was cut in
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    sessions = models.PositiveIntegerField()
    best_hi = models.FloatField(null=True)
    best_lo = models.FloatField(null=True)
    mean_sum = models.FloatField(null=True)
    mean_n = models.PositiveIntegerField()
    value_sum = models.FloatField(null=True)
    value_n = models.PositiveIntegerField()
    value_hi = models.FloatField(null=True)
    value_lo = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "athlete", "kind", "activity", "key", "start"],
                name="library_period_one_per_metric",
            )
        ]

    def __str__(self):
        return f"{self.kind} of {self.start:%Y-%m-%d} of {self.key} of athlete {self.athlete_id}"
