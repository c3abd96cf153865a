"""Sync the sessions library with the providers, for Heroku Scheduler or cron.

manage.py sync_sessions                 # every organization with an AiKYNETIX key, incremental
manage.py sync_sessions --full          # also mark sessions deleted upstream
manage.py sync_sessions --org riverside # one organization
manage.py sync_sessions --enqueue       # queue one task per organization instead of running here
"""

from django.core.management.base import BaseCommand, CommandError

from coachportal.organizations.models import Organization, Provider

from ...sync import request_sync, sync_organization


class Command(BaseCommand):
    help = "Sync each organization's sessions library with AiKYNETIX."

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", action="append", default=[], help="Slug of an organization (repeatable)."
        )
        parser.add_argument("--full", action="store_true", help="Full reconciliation (deletions upstream).")
        parser.add_argument("--enqueue", action="store_true", help="Queue tasks for the worker instead.")

    def handle(self, *args, org, full, enqueue, **options):
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
                request_sync(organization, full=full, force=True)
                self.stdout.write(f"{organization.slug}: queued")
                continue
            result = sync_organization(organization, full=full)
            failures += result.outcome == "failed"
            line = (
                f"{organization.slug}: {result.outcome}"
                f" (new {result.created}, changed {result.updated}, deleted {result.deleted})"
            )
            self.stdout.write(line + (f": {result.error}" if result.error else ""))
        if failures:
            raise CommandError(f"{failures} organization(s) could not be synced.")
