"""Delete the portal's copies of videos the provider has had for longer than each organization keeps them."""

from coachportal.storage.purge import PurgeCommand
from coachportal.uploads.models import Upload


class Command(PurgeCommand):
    help = (
        "Delete local copies of forwarded videos older than the organization's retention "
        "(keep_local_video_days). Failed and unsent uploads are never touched. Run it daily."
    )
    model = Upload
    singular, plural = "local video copy", "local video copies"
