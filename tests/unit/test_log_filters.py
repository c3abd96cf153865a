"""The log handler's filters: a refused request is one line, a server error keeps its traceback; the access
log redacts secrets in every field it writes."""

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config

from coachportal.gunicorn_logging import RedactingLogger
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


def test_the_access_log_redacts_every_field_it_writes_with_a_secret_in_it():
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '"%(r)s" %(s)s "%(f)s" %({x-next}i)s %({path_info}e)s %(U)s')
    logger = RedactingLogger(config)
    stream = io.StringIO()
    logger.access_log.handlers[0].setStream(stream)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/share/tok123/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/share/tok123/",
        "HTTP_REFERER": "https://portal.example/invitations/inv456/",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(headers=[("X-NEXT", "/accounts/login/?next=%2Fshare%2Ftok123%2F")])
    response = SimpleNamespace(status="200 OK", sent=2, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    line = stream.getvalue()
    assert "tok123" not in line and "inv456" not in line, line
    assert line.count("[redacted]") == 5 and '"GET /share/[redacted]/ HTTP/1.1" 200' in line
