"""Flash messages from htmx actions appear at once, the same way on every page.

A full page shows the messages waiting in the session at the top of <main> (base.html). An htmx swap
replaces only part of the page, so a message added by that action would wait for the next full page.
This middleware appends the waiting messages to the swapped HTML as an out-of-band swap of #messages
(templates/includes/messages.html), so they show with the change they describe.
"""

from __future__ import annotations

from django.contrib import messages
from django.template.loader import render_to_string

SKIP_HEADERS = ("HX-Redirect", "HX-Location", "HX-Refresh")


class HtmxMessagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not self._wants(request, response):
            return response
        waiting = list(messages.get_messages(request))
        if waiting:
            html = render_to_string("includes/messages.html", {"messages": waiting, "oob": True}, request)
            response.content += html.encode(response.charset or "utf-8")
        return response

    @staticmethod
    def _wants(request, response) -> bool:
        htmx = getattr(request, "htmx", None)
        if not htmx or getattr(htmx, "history_restore_request", False) or getattr(htmx, "boosted", False):
            return False
        if response.streaming or not 200 <= response.status_code < 300:
            return False
        if any(h in response for h in SKIP_HEADERS):
            return False
        if not response.get("Content-Type", "").startswith("text/html"):
            return False
        return b'id="messages"' not in response.content  # the view already placed them


def tell_outcome(request, changed: bool, done: str, unchanged: str) -> None:
    """Flash what a POST action did: `done` as a success when it changed something, else `unchanged`."""
    if changed:
        messages.success(request, done)
    else:
        messages.info(request, unchanged)
