"""What the scheduler commands that work organization by organization share: their options, and which."""

from collections.abc import Sequence

from django.core.management.base import CommandError

from .models import Organization, Provider


def add_organization_arguments(parser) -> None:
    """`--org SLUG` (repeatable) picks organizations; `--enqueue` queues tasks for the worker instead."""
    parser.add_argument("--org", action="append", default=[], help="Slug of an organization (repeatable).")
    parser.add_argument("--enqueue", action="store_true", help="Queue tasks for the worker instead.")


def organizations_with_keys(providers: Sequence[str], slugs: Sequence[str] = ()):
    """The organizations holding a key for one of `providers`, by slug; only those in `slugs`, if any.

    A slug in `slugs` that names none of them stops the command with an error that names it.
    """
    orgs = Organization.objects.filter(credentials__provider__in=providers).distinct().order_by("slug")
    if slugs:
        orgs = orgs.filter(slug__in=slugs)
        missing = set(slugs) - set(orgs.values_list("slug", flat=True))
        if missing:
            key = Provider(providers[0]).label if len(providers) == 1 else "provider"
            raise CommandError(f"No {key} key or no such organization: {', '.join(sorted(missing))}")
    return orgs
