"""Settings for the test suite: the project's settings with test-friendly services.

The environment is set before the project settings load, so they run exactly as in production
except for what is overridden below.
"""

import os
import tempfile
from pathlib import Path

os.environ["COACHPORTAL_SKIP_DOTENV"] = "1"  # a developer's .env must not change test results
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SANDBOX_ALLOWED", "1")
os.environ.setdefault("EMAIL_CONSOLE_ALLOWED", "1")  # replaced by the in-memory backend below
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdHMtb25seS1lbmNyeXB0aW9uLWtleS0wMTIzNDU=")

from coachportal.settings import *  # noqa: F403
from coachportal.settings import DATABASES

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECURE_SSL_REDIRECT = False  # the test client speaks plain HTTP; the deploy tests check the redirect
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; only in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Saving a key tests it at once: a test that saves a made-up key must never reach the real providers.
# Port 9 on the loopback is closed, so such a call fails at once; tests that talk to a provider point
# these at a sandbox.
AIKYNETIX_BASE_URL = "http://127.0.0.1:9"
AIONTHEBALL_BASE_URL = "http://127.0.0.1:9/api/v1"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's shared in-memory database: browser and webhook tests serve requests from a
    # live-server thread while the test thread writes, and shared-cache memory databases fail such
    # overlaps at once ("database table is locked") where a file database waits for the lock.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"coachportal-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;"}
    )
