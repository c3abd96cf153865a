"""AiKYNETIX Web API client: plain Python over requests, no Django."""

from .client import (
    DEFAULT_BASE_URL,
    FETCH_BY_IDS_PATH,
    PROCESSING_STATE_FILTER_PARAM,
    UPLOADER_FILTER_PARAM,
    AikynetixClient,
)
from .errors import (
    AikynetixError,
    InvalidRequest,
    KeyRejected,
    NotFound,
    NotPermitted,
    ProviderUnavailable,
    UploadOutcomeUnknown,
)
from .models import (
    ACTIVITY_LABELS,
    JUMP_EXERCISES,
    WEIGHTLIFTING_EXERCISES,
    Activity,
    Session,
    SessionPage,
    SessionStatus,
    UploadResult,
)

__all__ = [
    "ACTIVITY_LABELS",
    "DEFAULT_BASE_URL",
    "FETCH_BY_IDS_PATH",
    "JUMP_EXERCISES",
    "PROCESSING_STATE_FILTER_PARAM",
    "UPLOADER_FILTER_PARAM",
    "WEIGHTLIFTING_EXERCISES",
    "Activity",
    "AikynetixClient",
    "AikynetixError",
    "InvalidRequest",
    "KeyRejected",
    "NotFound",
    "NotPermitted",
    "ProviderUnavailable",
    "Session",
    "SessionPage",
    "SessionStatus",
    "UploadOutcomeUnknown",
    "UploadResult",
]
