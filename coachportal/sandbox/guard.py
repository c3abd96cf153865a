"""Refuse to start a sandbox under production settings."""

from django.conf import settings
from django.core.management.base import CommandError


def refuse_in_production() -> None:
    """Raise CommandError unless DEBUG is on or SANDBOX_ALLOWED is set."""
    if settings.DEBUG or getattr(settings, "SANDBOX_ALLOWED", False):
        return
    raise CommandError(
        "The provider sandbox is for development, demos and tests only. "
        "Set DEBUG=1 (or SANDBOX_ALLOWED=1 for a test run) to start it."
    )
