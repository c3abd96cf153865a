"""Delete match files AI on the Ball has copied for longer than the organization keeps them."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from coachportal.matches.models import Match
from coachportal.organizations.models import Organization


class Command(BaseCommand):
    help = (
        "Delete stored match files once AI on the Ball has had its own copy for longer than the "
        "organization's retention (keep_local_video_days). Files the provider never got are kept. "
        "Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        total = 0
        for org in Organization.objects.filter(matches__isnull=False).distinct():
            cutoff = now - timedelta(days=org.keep_local_video_days)
            for match in Match.objects.for_org(org).stored_file_older_than(cutoff).iterator():
                total += 1
                if not dry_run:
                    match.purge_file()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {total} stored match file{'' if total == 1 else 's'}.")
