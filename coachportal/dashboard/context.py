"""The organization dashboard's figures: `dashboard_context(org)` for templates/organizations/dashboard.html
(its library panel is templates/sessions/_dashboard.html)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload

RECENT = 5


def dashboard_context(org) -> dict:
    """Counts for this week, processing and failed, plus the most recent sessions (four queries)."""
    now = timezone.now()
    week_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= timedelta(days=week_start.weekday())  # Monday
    visible = Session.objects.for_org(org).visible()
    counts = visible.aggregate(
        this_week=Count("pk", filter=Q(recorded_at__gte=week_start)),
        processing=Count("pk", filter=Q(status=Session.Status.PROCESSING)),
        failed=Count("pk", filter=Q(status=Session.Status.FAILED)),
    )
    return {
        "library_counts": counts,
        "failed_uploads": Upload.objects.for_org(org).failed().count(),
        "library_recent": list(visible.for_list().newest_first()[:RECENT]),
        "library_week_start": week_start,
    }
