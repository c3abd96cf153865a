"""Delete the portal's copies of videos the provider has had for longer than each organization keeps them."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from coachportal.organizations.models import Organization
from coachportal.uploads.models import Upload


class Command(BaseCommand):
    help = (
        "Delete local copies of forwarded videos older than the organization's retention "
        "(keep_local_video_days). Failed and unsent uploads are never touched. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        total = 0
        for org in Organization.objects.filter(uploads__isnull=False).distinct():
            cutoff = now - timedelta(days=org.keep_local_video_days)
            for upload in Upload.objects.for_org(org).local_copy_older_than(cutoff).iterator():
                total += 1
                if not dry_run:
                    upload.forget_local_copy()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {total} local video cop{'y' if total == 1 else 'ies'}.")
