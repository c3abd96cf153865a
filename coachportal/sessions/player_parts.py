"""What the session page and the compare page both give their players' templates (the macros of
jinja2/sessions/player_parts.html): a marked moment as template data, and the keyboard shortcuts."""

from __future__ import annotations

from functools import cache

from django.template import engines
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString

from .timing import Marker


def marker_data(marker: Marker) -> dict:
    """A marked moment as the timeline and the marker buttons show it: seconds to seek to, and as shown."""
    return {"label": marker.label, "at": f"{marker.seconds:.3f}", "shown": floatformat(marker.seconds, 2)}


@cache
def keys_html(*, ab: bool) -> SafeString:
    """The player's keyboard shortcuts, for a Django page (the compare page); the same for every request."""
    html = engines["jinja2"].get_template("sessions/player_keys.html").render({"ab": ab})
    return SafeString(html)  # the Jinja2 environment autoescapes
