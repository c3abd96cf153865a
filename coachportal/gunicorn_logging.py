"""Gunicorn's access log with secrets in URLs redacted (configured in gunicorn.conf.py)."""

from __future__ import annotations

from gunicorn.glogging import Logger

from coachportal.logredact import redact


class RedactingLogger(Logger):
    """Every access-log field that can hold a URL (request line, path, query, referer) is redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
