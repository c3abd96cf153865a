"""Refuse an over-size request body from its Content-Length, before anything reads a byte of it.

Reading a 2 GB body only to refuse it takes about as long as the worker timeout. Views that take
videos declare their own, larger limit with `allows_body`; every other view takes DEFAULT_LIMIT.
Chunked bodies (no Content-Length) are still counted while they stream: see storage/receive.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import JsonResponse
from django.shortcuts import render

DEFAULT_LIMIT = 10 * 1024 * 1024  # forms and CSV files; the CSV import has its own, smaller limit
TOO_LARGE = (
    "This request is {size_mb:,.0f} MB, larger than the {limit_mb:,.0f} MB this page accepts. "
    "Nothing was stored: choose a smaller file."
)


def allows_body(limit: Callable[[], int]):
    """Let a view take request bodies of up to `limit()` bytes (read when each request arrives)."""

    def mark(view):
        view.max_body_bytes = limit
        return view

    return mark


def too_large_response(request, *, size: int, limit: int):
    """A 413 the person can read: JSON for the upload page's scripts, otherwise a page."""
    message = TOO_LARGE.format(size_mb=max(1, size / 2**20), limit_mb=limit / 2**20)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"non_field_errors": [message], "errors": {}}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class BodyLimitMiddleware:
    """Answer 413 at once when the declared body is larger than the view takes.

    It must come before CsrfViewMiddleware: that one reads the body to find the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django treats a malformed Content-Length as an empty body
        limit_of = getattr(view_func, "max_body_bytes", None)
        limit = limit_of() if limit_of else DEFAULT_LIMIT
        if size > limit:
            return too_large_response(request, size=size, limit=limit)
        return None
