"""Gunicorn's access log with secrets in URLs redacted (configured in gunicorn.conf.py)."""

from __future__ import annotations

from gunicorn.glogging import Logger, SafeAtoms

from coachportal.logredact import redact


class RedactedAtoms(SafeAtoms):
    """Gunicorn's log atoms, each redacted as the log line reads it.

    Every field that can hold a URL (request line, path, query, referer, any header or environment value
    the format names) is redacted. Gunicorn builds some seventy atoms per request (every header and every
    WSGI environment variable) and the line reads about ten: redacting all of them up front cost more CPU
    than the whole health check (issue 18).
    """

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return redact(value) if isinstance(value, str) else value


class RedactingLogger(Logger):
    atoms_wrapper_class = RedactedAtoms
