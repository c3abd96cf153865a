"""A note on a session: text at a moment of the video, with an optional drawing (see shapes.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from coachportal.organizations.models import Organization

from . import shapes as drawing

MAX_TEXT = 2000
MAX_SECONDS = 24 * 3600


def time_label(seconds: float) -> str:
    """1.2 reads "0:01.2"; 75.25 reads "1:15.3"."""
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}:{rest:04.1f}"


class NoteQuerySet(models.QuerySet):
    def for_session(self, session):
        return self.filter(organization_id=session.organization_id, session=session)

    def in_time_order(self):
        return self.select_related("author").order_by("at_seconds", "id")


class Note(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey("library.Session", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at_seconds = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(MAX_SECONDS)])
    text = models.TextField(max_length=MAX_TEXT, blank=True)
    shapes = models.JSONField(default=list, blank=True)
    # Width over height of the frame the drawing was made on: angles are measured on the picture.
    frame_aspect = models.FloatField(default=16 / 9)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["session", "at_seconds", "id"], name="notes_session_time")]

    def __str__(self):
        return f"note at {self.time_label}"

    @property
    def time_label(self) -> str:
        return time_label(self.at_seconds)

    @property
    def drawing_summary(self) -> str:
        return drawing.summary(self.shapes or [])

    def as_data(self) -> dict:
        """What the player needs to draw this note: plain data, rendered as JSON for the page's script."""
        return {
            "id": self.pk,
            "at": self.at_seconds,
            "aspect": self.frame_aspect,
            "shapes": self.shapes or [],
        }

    def export_text(self) -> str:
        text = " ".join(self.text.split())
        drawn = self.drawing_summary
        return f"[{self.time_label}] {text}" + (f" ({drawn})" if drawn else "")
