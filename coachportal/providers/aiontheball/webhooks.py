"""Read AI on the Ball webhook deliveries.

The docs show no signature or secret header: a delivery is a JSON POST with
`User-Agent: AI-on-the-ball`. So verification can only check the documented shape; the receiving
endpoint should carry its own unguessable secret in its URL.

Reference: https://docs.aiontheball.nl/versions/v1/concepts/webhooks/
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import InvalidWebhook
from .types import WebhookEvent

USER_AGENT = "AI-on-the-ball"
ANALYSIS_DONE = "analysis_done"
ANALYSIS_COMPLETION_RATE = "analysis_completion_rate"
# Which statuses each documented event may carry.
EVENT_STATUSES = {
    ANALYSIS_DONE: frozenset({"done", "error"}),
    ANALYSIS_COMPLETION_RATE: frozenset({"running", "aggregating"}),
}


def parse_webhook(payload: Any) -> WebhookEvent:
    """Read a webhook payload (dict or JSON text) into a WebhookEvent, accepting unknown events."""
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise InvalidWebhook("The webhook body is not JSON.") from exc
    if not isinstance(payload, dict):
        raise InvalidWebhook("The webhook body is not a JSON object.", body=payload)
    event, analysis_id = payload.get("event"), payload.get("analysis_id")
    if not isinstance(event, str) or not event:
        raise InvalidWebhook("The webhook has no 'event'.", body=payload)
    # REST ids are integers, the webhook example shows a UUID string: keep either as text.
    if isinstance(analysis_id, bool) or not isinstance(analysis_id, int | str) or analysis_id == "":
        raise InvalidWebhook("The webhook has no 'analysis_id'.", body=payload)
    rate = payload.get("completion_rate")
    try:
        completion_rate = int(rate) if rate is not None and not isinstance(rate, bool) else 0
    except (TypeError, ValueError) as exc:
        raise InvalidWebhook("The webhook's 'completion_rate' is not a number.", body=payload) from exc
    status = payload.get("status")
    return WebhookEvent(
        event=event,
        analysis_id=str(analysis_id),
        status=status if isinstance(status, str) else "",
        completion_rate=completion_rate,
        raw=payload,
    )


def verify_webhook(headers: Mapping[str, str], body: bytes | str) -> WebhookEvent:
    """Check a delivery against the documented headers and payload; raise InvalidWebhook if it differs."""
    lowered = {key.lower(): value for key, value in headers.items()}
    content_type = lowered.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise InvalidWebhook(f"Unexpected Content-Type {content_type!r}.")
    user_agent = lowered.get("user-agent", "")
    if not user_agent.startswith(USER_AGENT):
        raise InvalidWebhook(f"Unexpected User-Agent {user_agent!r}.")
    event = parse_webhook(body)
    allowed = EVENT_STATUSES.get(event.event)
    if allowed is None:
        raise InvalidWebhook(f"Unknown webhook event {event.event!r}.", body=event.raw)
    if event.status not in allowed:
        raise InvalidWebhook(f"Status {event.status!r} does not belong to {event.event!r}.", body=event.raw)
    rate = event.raw.get("completion_rate")
    if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 100:
        raise InvalidWebhook("'completion_rate' must be a whole number from 0 to 100.", body=event.raw)
    return event
