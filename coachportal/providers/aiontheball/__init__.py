"""Pure HTTP client for the AI on the Ball API (no Django)."""

from .client import DEFAULT_BASE_URL, AiOnTheBallClient
from .errors import (
    AiOnTheBallError,
    Forbidden,
    InvalidRequest,
    InvalidWebhook,
    NotFound,
    ProviderUnavailable,
    ResultsNotReady,
    TokenRejected,
    UnexpectedResponse,
    error_for_status,
)
from .types import (
    Analysis,
    AnalysisRef,
    Event,
    Interval,
    PlayerFigures,
    Schema,
    Summary,
    TeamFigures,
    Video,
    VideoPage,
    WebhookEvent,
)
from .webhooks import parse_webhook, verify_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "AiOnTheBallClient",
    "AiOnTheBallError",
    "Analysis",
    "AnalysisRef",
    "Event",
    "Forbidden",
    "Interval",
    "InvalidRequest",
    "InvalidWebhook",
    "NotFound",
    "PlayerFigures",
    "ProviderUnavailable",
    "ResultsNotReady",
    "Schema",
    "Summary",
    "TeamFigures",
    "TokenRejected",
    "UnexpectedResponse",
    "Video",
    "VideoPage",
    "WebhookEvent",
    "error_for_status",
    "parse_webhook",
    "verify_webhook",
]
