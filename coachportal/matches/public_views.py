"""The two match URLs that are reached without a login: the expiring file link and the webhook.

Both are outside /o/<org_slug>/ on purpose: AI on the Ball calls them, not a member. Each carries its
own proof: a signed, expiring token, or the organization's unguessable webhook secret.
"""

from __future__ import annotations

import logging
import re

from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from coachportal.organizations.models import Organization
from coachportal.providers import aiontheball as aob

from . import files, webhooks
from .models import Match, WebhookEndpoint

log = logging.getLogger(__name__)

CHUNK = 1 << 20
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _chunks(handle, start: int, length: int):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(request, name: str, *, storage=default_storage, content_type="video/mp4"):
    """Serve a stored file in constant memory, answering a single `Range: bytes=a-b` with 206."""
    size = storage.size(name)
    start, end, status = 0, size - 1, 200
    header = request.headers.get("Range", "").strip()
    match = RANGE.match(header) if header else None
    if header and match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # "bytes=-N": the last N bytes
            start = max(0, size - int(last))
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    length = end - start + 1
    if request.method == "HEAD":
        response = HttpResponse(status=status, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            _chunks(storage.open(name, "rb"), start, length), status=status, content_type=content_type
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD"])
def match_file(request, token):
    """The match file for AI on the Ball to download, while the signed link has not expired."""
    try:
        claim = files.read_file_token(token)
    except signing.BadSignature:
        raise Http404("This link has expired or is not valid.") from None
    match = Match.objects.filter(pk=claim.get("m"), file=claim.get("f")).first()
    if match is None or not match.file:
        raise Http404("No such file.")
    return ranged_file_response(request, match.file.name, storage=match.file.storage)


@csrf_exempt
@require_POST
def webhook(request, org_slug, secret):
    """Receive an AI on the Ball notification; a wrong secret looks exactly like a missing page."""
    org = get_object_or_404(Organization, slug=org_slug)
    endpoint = WebhookEndpoint.objects.filter(organization=org).first()
    if endpoint is None or not endpoint.accepts(secret):
        raise Http404("No such page.")
    try:
        outcome = webhooks.receive(org, request.headers, request.body)
    except aob.InvalidWebhook as error:
        log.info("Refused an AI on the Ball webhook for %s: %s", org.slug, error)
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"ok": True, "result": outcome})
