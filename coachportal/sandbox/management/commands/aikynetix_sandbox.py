"""`manage.py aikynetix_sandbox --port 8765 --data-dir DIR [--processing-seconds N] [--demo]`."""

from django.core.management.base import BaseCommand

from coachportal.sandbox.guard import refuse_in_production


class Command(BaseCommand):
    help = "Run the local AiKYNETIX sandbox (a contract-faithful emulator of the provider's API)."

    def add_arguments(self, parser):
        from coachportal.sandbox.aikynetix.server import add_arguments

        add_arguments(parser)

    def handle(self, *args, **options):
        refuse_in_production()
        from coachportal.sandbox.aikynetix.server import serve

        serve(options)
