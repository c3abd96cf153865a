"""manage.py aiontheball_sandbox: run the AI on the Ball sandbox (never under production settings)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from coachportal.sandbox.guard import refuse_in_production


class Command(BaseCommand):
    help = "Run the local AI on the Ball API sandbox (development, demo and tests only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--data-dir", type=Path, default=Path(".sandbox/aiontheball"))
        parser.add_argument("--step-seconds", type=float, default=2.0, help="seconds per status step")
        parser.add_argument("--demo", action="store_true", help="seed the demo key-holder and matches")
        parser.add_argument("--quiet", action="store_true", help="do not log every request")

    def handle(self, *args, **options):
        refuse_in_production()
        # Imported here so the guard runs before any sandbox code loads.
        from coachportal.sandbox.aiontheball.server import serve

        serve(
            port=options["port"],
            data_dir=options["data_dir"],
            step_seconds=options["step_seconds"],
            demo=options["demo"],
            host=options["host"],
            quiet=options["quiet"],
        )
