"""Reconcile each roster with its AiKYNETIX clients, for Heroku Scheduler or cron (next to sync_sessions).

manage.py sync_roster                 # every organization with an AiKYNETIX key
manage.py sync_roster --org riverside # one organization
manage.py sync_roster --enqueue       # queue one task per organization instead of running here
"""

from django.core.management.base import BaseCommand, CommandError

from coachportal.organizations.commands import add_organization_arguments, organizations_with_keys
from coachportal.organizations.models import Provider

from ...roster_sync import FAILED, sync_roster
from ...tasks import sync_roster_task


class Command(BaseCommand):
    help = "Verify athletes' AiKYNETIX ids and sync their attributes with AiKYNETIX."

    def add_arguments(self, parser):
        add_organization_arguments(parser)

    def handle(self, *args, org, enqueue, **options):
        failures = 0
        for organization in organizations_with_keys([Provider.AIKYNETIX], org):
            if enqueue:
                sync_roster_task.enqueue(organization.pk)
                self.stdout.write(f"{organization.slug}: queued")
                continue
            result = sync_roster(organization)
            failures += result.outcome == FAILED
            line = (
                f"{organization.slug}: {result.outcome} (verified {result.verified},"
                f" missing {result.missing}, linked {result.linked},"
                f" refreshed {result.refreshed}, written {result.written})"
            )
            self.stdout.write(line + (f": {result.error}" if result.error else ""))
        if failures:
            raise CommandError(f"{failures} organization(s) could not be synced.")
