"""Gunicorn settings for the web process; the Procfile passes this file with -c.

The access log goes to stdout with the secrets that travel in URLs (invitation and reset tokens,
signed file links, webhook secrets) redacted.
"""

logger_class = "coachportal.gunicorn_logging.RedactingLogger"
accesslog = "-"
errorlog = "-"
timeout = 30
