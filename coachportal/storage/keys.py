"""Storage names chosen by the server: a per-organization prefix and a random name, never the user's."""

from __future__ import annotations

import uuid

from django.utils import timezone


def new_name(area: str, org_id: int, extension: str) -> str:
    """`<area>/org-<id>/<year>/<month>/<random>.<extension>`."""
    now = timezone.now()
    return f"{area}/org-{org_id}/{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"
