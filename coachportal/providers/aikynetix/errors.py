"""Typed errors of the AiKYNETIX client; each says whether a retry can help."""

from __future__ import annotations


class AikynetixError(Exception):
    """Base class: the call failed; `status` is the HTTP status (None when no answer came)."""

    retryable = False

    def __init__(self, message: str, *, status: int | None = None, body_sent: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        # True when an upload body reached the provider but no usable answer came back: the session
        # may exist, so the caller must look it up before sending the file again.
        self.body_sent = body_sent

    @property
    def ambiguous(self) -> bool:
        """Whether the provider may have acted on the request even though the call failed."""
        return self.body_sent

    outcome_unknown = ambiguous  # the name both providers' errors share

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class InvalidRequest(AikynetixError):
    """400 (or 422): the provider refused the parameters, fields or file."""


class KeyRejected(AikynetixError):
    """401: the API key is missing, unknown or revoked."""


class NotPermitted(AikynetixError):
    """403: the key lacks the privilege (admin) or the plan for this call."""


class NotFound(AikynetixError):
    """404: the session, user or resource does not exist for this key (or a business limit)."""


class UserNotUnderAdmin(NotFound):
    """404 "User is not under this admin": no such client of the key's admin (unknown or another admin's)."""


class UserQuotaReached(AikynetixError):
    """404 "User creation limit reached for Pro plan.": a plan quota, not a missing page."""


class EmailAlreadyInUse(InvalidRequest):
    """400 on create: another account already uses this email (docs silent; the sandbox's strict reading)."""


class ProviderUnavailable(AikynetixError):
    """5xx, 429, a timeout, a dropped connection or a reply that is not the documented JSON."""

    retryable = True


class WriteOutcomeUnknown(ProviderUnavailable):
    """A write (create or update) was sent but no usable answer came: reconcile before trying again."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message, status=status, body_sent=True)


class UploadOutcomeUnknown(WriteOutcomeUnknown):
    """The upload body was sent but no usable answer came: reconcile before retrying."""


def error_for_status(
    status: int,
    message: str,
    *,
    body_sent: bool = False,
    unknown_outcome: type[WriteOutcomeUnknown] = UploadOutcomeUnknown,
) -> AikynetixError:
    """Return the typed error for an HTTP status the provider answered with."""
    if status >= 500 or status == 429:
        if body_sent:
            return unknown_outcome(message, status=status)
        return ProviderUnavailable(message, status=status)
    cls = {400: InvalidRequest, 422: InvalidRequest, 401: KeyRejected, 403: NotPermitted, 404: NotFound}.get(
        status, AikynetixError
    )
    return cls(message, status=status)
