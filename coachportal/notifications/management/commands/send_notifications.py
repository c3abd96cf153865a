"""Record notification events and send due emails, for Heroku Scheduler or cron (every few minutes).

manage.py send_notifications            # uploads failed/analysed, share links opened; due emails
manage.py send_notifications --digest   # also the daily digests (once a day is enough; a re-run adds none)
"""

from django.core.management.base import BaseCommand

from coachportal.notifications import delivery, events


class Command(BaseCommand):
    help = "Record notification events and send the emails that are due (retries included)."

    def add_arguments(self, parser):
        parser.add_argument("--digest", action="store_true", help="Also record today's daily digests.")

    def handle(self, *args, digest=False, **options):
        created = events.collect()
        if digest:
            created += events.digests()
        outcome = delivery.deliver_due()
        self.stdout.write(f"{created} new notifications; emails: {outcome or 'none due'}")
