"""Sync the sessions library with the providers, for Heroku Scheduler or cron.

manage.py sync_sessions                 # every organization with a provider key, incremental
manage.py sync_sessions --full          # also mark sessions (and matches) deleted upstream
manage.py sync_sessions --org riverside # one organization
manage.py sync_sessions --enqueue       # queue one task per organization instead of running here

AiKYNETIX sessions go into the library (after the roster is reconciled with the AiKYNETIX clients:
ids verified, attributes refreshed); AI on the Ball videos are mirrored as matches (its history).
"""

from django.core.management.base import BaseCommand, CommandError

from coachportal.athletes.roster_sync import sync_roster
from coachportal.matches.history import sync_history
from coachportal.matches.tasks import sync_match_history
from coachportal.organizations.models import Organization, Provider
from coachportal.sessions.schedule import request_sync
from coachportal.sessions.sync import sync_organization

SYNCED_PROVIDERS = (Provider.AIKYNETIX, Provider.AIONTHEBALL)


class Command(BaseCommand):
    help = "Sync each organization's sessions library with AiKYNETIX and its matches with AI on the Ball."

    def add_arguments(self, parser):
        parser.add_argument(
            "--org", action="append", default=[], help="Slug of an organization (repeatable)."
        )
        parser.add_argument("--full", action="store_true", help="Full reconciliation (deletions upstream).")
        parser.add_argument("--enqueue", action="store_true", help="Queue tasks for the worker instead.")

    def handle(self, *args, org, full, enqueue, **options):
        orgs = (
            Organization.objects.filter(credentials__provider__in=SYNCED_PROVIDERS)
            .distinct()
            .order_by("slug")
        )
        if org:
            orgs = orgs.filter(slug__in=org)
            missing = set(org) - set(orgs.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No provider key or no such organization: {', '.join(sorted(missing))}")
        failures = 0
        for organization in orgs:
            providers = set(organization.credentials.values_list("provider", flat=True))
            if enqueue:
                self._enqueue(organization, providers, full=full)
                continue
            if Provider.AIKYNETIX in providers:
                roster = sync_roster(organization)
                failures += roster.outcome == "failed"
                self.stdout.write(
                    f"{organization.slug} roster: {roster.outcome} (verified {roster.verified}, linked"
                    f" {roster.linked}, refreshed {roster.refreshed}, written {roster.written})"
                    + (f": {roster.error}" if roster.error else "")
                )
                result = sync_organization(organization, full=full)
                failures += result.outcome == "failed"
                self._report(organization.slug, result)
            if Provider.AIONTHEBALL in providers:
                history = sync_history(organization, full=full)
                failures += history.outcome == "failed"
                self._report(f"{organization.slug} matches", history)
        if failures:
            raise CommandError(f"{failures} sync(s) could not be completed.")

    def _enqueue(self, organization, providers, *, full):
        if Provider.AIKYNETIX in providers:
            # The library's task mirrors the AI on the Ball matches in the same run.
            request_sync(organization, full=full, force=True)
        else:
            sync_match_history.enqueue(organization.pk, full)
        self.stdout.write(f"{organization.slug}: queued")

    def _report(self, label, result):
        counts = f"new {result.created}, changed {result.updated}, deleted {result.deleted}"
        line = f"{label}: {result.outcome} ({counts})"
        self.stdout.write(line + (f": {result.error}" if result.error else ""))
