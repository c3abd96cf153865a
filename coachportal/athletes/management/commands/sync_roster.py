"""Reconcile each roster with its AiKYNETIX clients, for Heroku Scheduler or cron (next to sync_sessions).

manage.py sync_roster                 # every organization with an AiKYNETIX key
manage.py sync_roster --org riverside # one organization
manage.py sync_roster --enqueue       # queue one task per organization instead of running here
"""

from django.core.management.base import BaseCommand, CommandError

from coachportal.organizations.models import Organization, Provider

from ...roster_sync import FAILED, sync_roster
from ...tasks import sync_roster_task


class Command(BaseCommand):
    help = "Verify athletes' AiKYNETIX ids and sync their attributes with AiKYNETIX."

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", action="append", default=[], help="Slug of an organization (repeatable)."
        )
        parser.add_argument("--enqueue", action="store_true", help="Queue tasks for the worker instead.")

    def handle(self, *args, org, enqueue, **options):
        orgs = (
            Organization.objects.filter(credentials__provider=Provider.AIKYNETIX).distinct().order_by("slug")
        )
        if org:
            orgs = orgs.filter(slug__in=org)
            missing = set(org) - set(orgs.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No AiKYNETIX key or no such organization: {', '.join(sorted(missing))}")
        failures = 0
        for organization in orgs:
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
