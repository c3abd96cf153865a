"""The app as the platform runs it: production settings, the Procfile's web command, real HTTP."""

import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

from tests.fixtures import processes
from tests.fixtures.processes import REPO_ROOT as ROOT
from tests.fixtures.processes import free_port

pytestmark = pytest.mark.slow  # gunicorn and manage.py in subprocesses


def production_env(tmp_path, **extra) -> dict:
    # The test run's own settings (and the browser tests' async switch) must not leak into production.
    leaks = {
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SANDBOX_ALLOWED",
        "DEBUG",
        "EMAIL_CONSOLE_ALLOWED",
    }
    env = {k: v for k, v in os.environ.items() if k not in leaks}
    env.update(
        DJANGO_SETTINGS_MODULE="coachportal.settings",
        COACHPORTAL_SKIP_DOTENV="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS="https://127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "staticfiles"),
        WEB_CONCURRENCY="2",
        # Mail goes to an SMTP host (nothing listens here unless a test starts a sink on this port).
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(free_port()),
        EMAIL_USE_TLS="0",
    )
    env.update(extra)
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"Procfile has no {name} process")


@dataclass
class WebProcess:
    url: str
    log_path: Path

    def log(self) -> str:
        """Everything the process wrote to stdout and stderr so far (access log included)."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def web_process(env) -> Iterator[WebProcess]:
    """The Procfile's `web` command, started as the platform would start it, stopped on exit."""
    port = free_port()
    env = {**env, "PORT": str(port), "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}"}
    command = shlex.split(procfile_command("web").replace("$PORT", str(port)))
    url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp(prefix="gunicorn-")) / "web.log"
    # Any answer will do: /healthz says 503 when the database is unreachable, and that is a test.
    with processes.running(
        command, name="gunicorn", health_url=url + "/healthz", log_path=log_path, env=env, any_status=True
    ):
        yield WebProcess(url, log_path)


@pytest.fixture(scope="module")
def prod_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deploy")
    env = production_env(tmp)
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = manage(env, *step)
        assert result.returncode == 0, result.stderr
    return env


@pytest.fixture(scope="module")
def web(prod_env):
    with web_process(prod_env) as process:
        yield process


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    env = production_env(tmp_path)
    del env["FIELD_ENCRYPTION_KEYS"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS is not set" in result.stderr


def test_production_names_the_encryption_key_that_is_not_valid(tmp_path):
    good = Fernet.generate_key().decode()
    result = manage(production_env(tmp_path, FIELD_ENCRYPTION_KEYS=f"{good},not-a-fernet-key"), "check")
    assert result.returncode != 0
    assert "key #2 is not a valid Fernet key" in result.stderr
    assert "not-a-fernet-key" not in result.stderr


def test_a_malformed_boolean_setting_stops_start_up_with_its_name(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="maybe"), "check")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_the_web_process_answers_healthz_when_the_database_is_reachable(web):
    response = requests.get(web.url + "/healthz", timeout=30)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_static_files_are_served_compressed_with_a_far_future_cache_header(web, prod_env):
    manifest = json.loads((Path(prod_env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/app.css"]
    response = requests.get(
        f"{web.url}/static/{hashed}",
        headers={"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"},
        timeout=30,
    )
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]
    assert ".skip-link" in response.text


def test_pages_behind_the_platforms_https_proxy_get_security_headers(web):
    response = requests.get(
        web.url + "/accounts/login/",
        headers={"X-Forwarded-Proto": "https"},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Secure" in response.headers["Set-Cookie"]  # the CSRF cookie


def test_plain_http_is_redirected_to_https(web):
    response = requests.get(web.url + "/accounts/login/", timeout=30, allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # Nothing listens on port 9: the connection is refused, as when the database add-on restarts.
    env = production_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing")
    with web_process(env) as process:
        response = requests.get(process.url + "/healthz", timeout=30)
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"


def test_the_procfile_runs_migrations_on_release_and_the_task_worker():
    assert procfile_command("release") == "python manage.py migrate --noinput"
    assert procfile_command("worker") == "python manage.py db_worker"


def test_production_refuses_to_print_email_to_the_log_unless_allowed(tmp_path):
    env = production_env(tmp_path)
    del env["EMAIL_HOST"]
    refused = manage(env, "check")
    assert refused.returncode != 0
    assert "EMAIL_HOST is not set, so email would be printed to the log" in refused.stderr
    allowed = manage({**env, "EMAIL_CONSOLE_ALLOWED": "1"}, "check", "--deploy", "--fail-level", "WARNING")
    assert allowed.returncode != 0
    assert "coachportal.W001" in allowed.stdout + allowed.stderr


def test_local_plain_http_is_refused_for_a_host_that_is_not_this_machine(tmp_path):
    env = production_env(tmp_path, LOCAL_PLAIN_HTTP="1", ALLOWED_HOSTS="localhost,portal.example.com")
    result = manage(env, "check")
    assert result.returncode != 0
    assert "LOCAL_PLAIN_HTTP=1 is for this machine only, but ALLOWED_HOSTS names portal.example.com" in (
        result.stderr
    )


def test_local_plain_http_serves_pages_over_http_with_debug_off(tmp_path, prod_env):
    with web_process({**prod_env, "LOCAL_PLAIN_HTTP": "1"}) as process:
        response = requests.get(process.url + "/accounts/login/", timeout=30, allow_redirects=False)
        assert response.status_code == 200  # no redirect to https
        assert "Strict-Transport-Security" not in response.headers
        assert "Secure" not in response.headers["Set-Cookie"]
        assert "Page not found" in requests.get(process.url + "/nope/", timeout=30).text  # DEBUG is off
