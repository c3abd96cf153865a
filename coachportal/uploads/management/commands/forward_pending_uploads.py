"""Queue again uploads whose forwarding task was lost: stored past their time, claimed by a dead worker,
or answered by the provider but never linked to the library (the worker died in between)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from coachportal.organizations.models import Organization
from coachportal.uploads import services
from coachportal.uploads.models import Upload
from coachportal.uploads.tasks import forward_upload

LOST_AFTER = timedelta(minutes=10)  # a stored upload nobody picked up in this time lost its task
# `sent` lasts only between the provider's answer and the library record, in the same task: an upload
# still sent after this long lost its worker, and forwarding it again only links it (never re-sends).
UNLINKED_AFTER = timedelta(minutes=2)


class Command(BaseCommand):
    help = "Re-queue lost or stuck upload forwards and move processing uploads on. Run it every few minutes."

    def handle(self, *args, **options):
        now = timezone.now()
        waiting = Upload.objects.filter(state=Upload.State.STORED).filter(
            Q(next_attempt_at__lt=now - LOST_AFTER)
            | Q(next_attempt_at__isnull=True, updated_at__lt=now - LOST_AFTER)
        )
        unlinked = Upload.objects.filter(state=Upload.State.SENT, updated_at__lt=now - UNLINKED_AFTER)
        ids = [
            *waiting.values_list("pk", flat=True),
            *Upload.objects.stale_claims(now).values_list("pk", flat=True),
            *unlinked.values_list("pk", flat=True),
        ]
        for pk in ids:
            forward_upload.enqueue(pk)
        moved = sum(
            services.follow_sessions(org)
            for org in Organization.objects.filter(uploads__state=Upload.State.PROCESSING).distinct()
        )
        self.stdout.write(f"Queued {len(ids)} upload(s); {moved} finished processing.")
