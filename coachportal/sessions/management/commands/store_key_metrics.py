"""Fill the key-metric table (and the library rows' numbers) from the sessions already in the mirror.

The sync keeps both up to date for what it writes; run this once after upgrading, or after the metric
catalogue changes, so older sessions are charted and shown the same way.
"""

from django.core.management.base import BaseCommand, CommandError

from coachportal.organizations.models import Organization
from coachportal.sessions import stored_metrics
from coachportal.sessions.models import Session


class Command(BaseCommand):
    help = "Store the key metrics of every session (of one organization with --org) from its metrics."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="the organization's slug (default: every organization)")

    def handle(self, *args, org=None, **options):
        orgs = Organization.objects.order_by("pk")
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"No organization with the slug {org!r}.")
        for organization in orgs:
            sessions = Session.objects.for_org(organization)
            written = stored_metrics.refresh_query(sessions, library_rows=True)
            stored_metrics.follow_athletes(organization)
            self.stdout.write(
                f"{organization.slug}: {written} key metric value{'s' if written != 1 else ''}."
            )
