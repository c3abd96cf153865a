"""Queue again uploads whose forwarding task was lost: stored past their time, or claimed by a dead worker."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.models import Organization
from coachportal.uploads import services
from coachportal.uploads.models import Upload
from coachportal.uploads.tasks import forward_upload

LOST_AFTER = timedelta(minutes=10)  # a stored upload nobody picked up in this time lost its task


class Command(BaseCommand):
    help = "Re-queue lost or stuck upload forwards and move processing uploads on. Run it every few minutes."

    def handle(self, *args, **options):
        now = timezone.now()
        waiting = Upload.objects.filter(state=Upload.State.STORED).filter(
            Q(next_attempt_at__lt=now - LOST_AFTER)
            | Q(next_attempt_at__isnull=True, updated_at__lt=now - LOST_AFTER)
        )
        ids = list(waiting.values_list("pk", flat=True)) + list(
            Upload.objects.stale_claims(now).values_list("pk", flat=True)
        )
        for pk in ids:
            forward_upload.enqueue(pk)
        moved = sum(
            services.follow_sessions(org)
            for org in Organization.objects.filter(uploads__state=Upload.State.PROCESSING).distinct()
        )
        self.stdout.write(f"Queued {len(ids)} upload(s); {moved} finished processing.")
