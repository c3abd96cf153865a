"""Keep secrets that travel in URLs out of the logs: invitation and reset tokens, signed file links,
webhook secrets, share-link and unsubscribe tokens are replaced by "[redacted]" wherever a path or query
string is logged.

Plain functions and logging filters, no Django import: the gunicorn access logger uses them too.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_SLASH = r"(?:/|%2F)"
_PART = r"[^/?&#\s%\"']+"
# Each pattern keeps the part before the secret (group 1) and replaces the secret.
SECRET_PATHS = [
    re.compile(rf"({_SLASH}invitations{_SLASH}){_PART}", re.I),
    re.compile(rf"({_SLASH}reset{_SLASH}{_PART}{_SLASH}){_PART}", re.I),
    re.compile(rf"({_SLASH}aiontheball{_SLASH}files{_SLASH}){_PART}", re.I),
    re.compile(rf"({_SLASH}aiontheball{_SLASH}webhook{_SLASH}{_PART}{_SLASH}){_PART}", re.I),
    re.compile(rf"({_SLASH}share{_SLASH}){_PART}", re.I),
    re.compile(rf"({_SLASH}notifications{_SLASH}unsubscribe{_SLASH}){_PART}", re.I),
]


# Every pattern above holds one of these words: text without any of them has nothing to redact, found with
# one search instead of a substitution per pattern (the access log redacts every line's fields).
_WORDS = re.compile(r"invitations|reset|aiontheball|share|notifications", re.I)


def redact(text: str) -> str:
    """`text` with every secret path segment replaced (also inside URL-encoded `next=` parameters)."""
    if not _WORDS.search(text):
        return text
    for pattern in SECRET_PATHS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrite a record's message with the secrets in URLs redacted (Django logs request paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class NoTracebackBelow500(logging.Filter):
    """A refused request (403, 404, ...) is a line in the log, not a traceback: only 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
