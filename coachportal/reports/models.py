"""A PDF report too slow for one web request (many sessions, video frames to grab), written by a task."""

from django.db import models

from coachportal.sessions.models import BackgroundFile


class ReportJob(BackgroundFile):
    """A PDF of an athlete's profile or a comparison; its steps are the sessions whose frames it grabs."""

    class Kind(models.TextChoices):
        ATHLETE = "athlete", "Athlete report"
        COMPARISON = "comparison", "Comparison report"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()  # the athlete, or the comparison's first session
    query = models.CharField(max_length=500, blank=True)  # the range, or the compare page's ids and offsets
    title = models.CharField(max_length=300)  # what the status page calls it
    back_url = models.CharField(max_length=500)  # the page it was asked from (path and query)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "requested_by", "-created_at"], name="reports_job_by")
        ]

    def __str__(self):
        return self.title  # the audit log reads "requested the report “Zoë Ávila, 3 Sep to 1 Dec 2026”"
