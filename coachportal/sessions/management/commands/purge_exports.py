"""Delete library exports (and their files) older than EXPORT_KEEP_HOURS. Run daily from the scheduler."""

from django.core.management.base import BaseCommand

from coachportal.sessions.export_jobs import purge_expired


class Command(BaseCommand):
    help = "Delete expired library exports and their files."

    def handle(self, *args, **options):
        removed = purge_expired()
        self.stdout.write(f"Removed {removed} expired export{'s' if removed != 1 else ''}.")
