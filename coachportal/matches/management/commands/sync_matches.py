"""Follow every unfinished AI on the Ball match once (for Heroku Scheduler or cron, every 10 minutes)."""

from django.core.management.base import BaseCommand

from coachportal.matches.models import Match
from coachportal.matches.sync import poll_match
from coachportal.matches.tasks import follow_due


class Command(BaseCommand):
    help = "Poll AI on the Ball for unfinished matches and restart lost polling chains."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="poll every unfinished match, not only overdue ones"
        )

    def handle(self, *args, **options):
        if options["all"]:
            count = 0
            for match in Match.objects.unfinished().iterator():
                poll_match(match)
                count += 1
            self.stdout.write(f"Polled {count} unfinished match(es).")
            return
        started = follow_due()
        self.stdout.write(f"Restarted polling for {started} match(es).")
