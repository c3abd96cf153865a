"""Delete match files AI on the Ball has copied for longer than the organization keeps them."""

from coachportal.matches.models import Match
from coachportal.storage.purge import PurgeCommand


class Command(PurgeCommand):
    help = (
        "Delete stored match files once AI on the Ball has had its own copy for longer than the "
        "organization's retention (keep_local_video_days). Files the provider never got are kept. "
        "Run it daily."
    )
    model = Match
    singular, plural = "stored match file", "stored match files"
