from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coachportal.athletes.demo import load_demo_athletes
from coachportal.matches.tasks import sync_match_history
from coachportal.organizations.demo import DEMO_PASSWORD, DEMO_PEOPLE, load_demo_keys, load_demo_people
from coachportal.sessions.tasks import sync_sessions


class Command(BaseCommand):
    help = "Load the demo organization and its people (local development only). Safe to run again."

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.SANDBOX_ALLOWED):
            raise CommandError("Demo data is for local development: set DEBUG=1 to load it.")
        org = load_demo_people()
        load_demo_keys(org)
        load_demo_athletes(org)
        self._sync_soon(org)
        self.stdout.write(self.style.SUCCESS(f"Demo organization: {org.name} (/o/{org.slug}/)"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, _name, role in DEMO_PEOPLE:
            self.stdout.write(f"  {role:<6} {email}")

    def _sync_soon(self, org):
        """Fill the demo library from the sandboxes as soon as `make run` has started them and the worker:
        the AiKYNETIX sessions, and the football matches of the AI on the Ball demo (its history)."""
        soon = timezone.now() + timedelta(seconds=5)
        for task in (sync_sessions, sync_match_history):
            if task.get_backend().supports_defer:
                task.using(run_after=soon).enqueue(org.pk, True)
