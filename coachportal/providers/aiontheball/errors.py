"""Typed errors of the AI on the Ball client; each says whether a retry can help."""

from __future__ import annotations

from typing import Any


class AiOnTheBallError(Exception):
    """Base class of every error the AI on the Ball client raises."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        retryable: bool | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        if retryable is not None:
            self.retryable = retryable
        # A write (POST, PUT, DELETE) left but its answer was lost or was a server error: the provider
        # may have done it, so look before doing it again.
        self.outcome_unknown = outcome_unknown


class InvalidRequest(AiOnTheBallError):
    """The provider refused the request as invalid (400 or 422); fix the input, do not retry."""

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        # Laravel-style field errors ({"field": ["message", ...]}); empty when the body had none.
        self.errors: dict[str, list[str]] = errors or {}


class TokenRejected(AiOnTheBallError):
    """The API token is missing, unknown or revoked (401)."""


class Forbidden(AiOnTheBallError):
    """The token is valid but may not do this (403)."""


class NotFound(AiOnTheBallError):
    """The video or analysis does not exist for this token (404)."""


class ResultsNotReady(AiOnTheBallError):
    """The analysis has no results yet (409); asking again later can help."""

    retryable = True


class ProviderUnavailable(AiOnTheBallError):
    """The provider failed or could not be reached (5xx, 429, timeout, dropped connection, non-JSON body)."""

    retryable = True


class UnexpectedResponse(ProviderUnavailable):
    """The provider answered JSON of a shape this client cannot read; retrying will not change it."""

    retryable = False


class InvalidWebhook(AiOnTheBallError):
    """A webhook delivery does not have the documented shape."""


def _error_message(body: Any, fallback: str) -> str:
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
    return fallback


def _field_errors(body: Any) -> dict[str, list[str]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {
        str(field): [str(item) for item in (messages if isinstance(messages, list) else [messages])]
        for field, messages in errors.items()
    }


def error_for_status(status: int, body: Any, *, default_message: str = "") -> AiOnTheBallError:
    """Map an HTTP error status and its (parsed) body to the matching typed error."""
    message = _error_message(body, default_message or f"AI on the Ball answered {status}.")
    kwargs: dict[str, Any] = {"status_code": status, "body": body}
    if status in (400, 422):
        return InvalidRequest(message, errors=_field_errors(body), **kwargs)
    if status == 401:
        return TokenRejected(message, **kwargs)
    if status == 403:
        return Forbidden(message, **kwargs)
    if status in (404, 410):
        return NotFound(message, **kwargs)
    if status == 409:
        return ResultsNotReady(message, **kwargs)
    if status == 429 or status >= 500:
        return ProviderUnavailable(message, **kwargs)
    # Any other 4xx: the request itself is wrong, so a retry will not help.
    return InvalidRequest(message, errors=_field_errors(body), **kwargs)
