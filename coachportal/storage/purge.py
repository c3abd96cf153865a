"""When the portal's copy of a video may go: once the provider has had its own copy for longer than the
organization keeps local copies (`keep_local_video_days`). A file the provider never got is kept.

A feature's model plugs in with two names: a QuerySet method `local_copy_older_than(cutoff)` (rows
whose provider has had the file since before `cutoff`) and a model method `forget_local_copy()`.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import models
from django.utils import timezone

from coachportal.organizations.models import Organization


def forget_local_copy(obj: models.Model) -> None:
    """Delete `obj`'s stored file and remember when; the row keeps everything else."""
    if obj.file:
        obj.file.storage.delete(obj.file.name)
    now = timezone.now()
    type(obj).objects.filter(pk=obj.pk).update(file="", file_purged_at=now, updated_at=now)
    obj.file, obj.file_purged_at, obj.updated_at = "", now, now


def purge(model: type[models.Model], *, dry_run: bool = False, now=None) -> int:
    """Forget every local copy of `model` past its organization's retention; return how many."""
    now = now or timezone.now()
    total = 0
    owners = model.objects.values("organization_id")
    for org in Organization.objects.filter(pk__in=owners).only("pk", "keep_local_video_days"):
        cutoff = now - timedelta(days=org.keep_local_video_days)
        rows = model.objects.filter(organization=org).local_copy_older_than(cutoff)
        for row in rows.iterator():
            total += 1
            if not dry_run:
                row.forget_local_copy()
    return total


class PurgeCommand(BaseCommand):
    """A daily command that purges one model's local copies (set `model`, `singular` and `plural`)."""

    model: type[models.Model]
    singular: str
    plural: str

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        total = purge(self.model, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {total} {self.singular if total == 1 else self.plural}.")
