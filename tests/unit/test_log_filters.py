"""The log handler's filters: a refused request is one line, a server error keeps its traceback."""

import io
import logging

from django.conf import settings

from coachportal.logredact import NoTracebackBelow500, RedactSecrets


def log_with_the_portals_filters(status: int, message: str) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        handler.addFilter({"redact_secrets": RedactSecrets, "no_4xx_tracebacks": NoTracebackBelow500}[name]())
    logger = logging.getLogger(f"test.log_filters.{status}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        raise PermissionError("not for you")
    except PermissionError:
        # As django.request logs a refused or failed request: the exception and the status code.
        logger.warning(message, exc_info=True, extra={"status_code": status})
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_403_is_logged_as_one_line_without_a_traceback():
    output = log_with_the_portals_filters(403, "Forbidden (Permission denied): /o/riverside/settings/")
    assert output.strip() == "WARNING Forbidden (Permission denied): /o/riverside/settings/"
    assert "Traceback" not in output


def test_a_500_keeps_its_traceback_for_the_operator():
    assert "Traceback" in log_with_the_portals_filters(500, "Internal Server Error: /o/riverside/")


def test_tokens_in_logged_paths_are_redacted():
    output = log_with_the_portals_filters(404, "Not Found: /invitations/abc123secret/")
    assert "abc123secret" not in output and "/invitations/[redacted]" in output
