"""app.json, the one-click deploy manifest: it names every config var production needs, and a deploy made
only from what it declares starts and passes `check --deploy`."""

import json
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "coachportal" / "settings.py"
MANIFEST = json.loads((ROOT / "app.json").read_text())
ENV = MANIFEST["env"]
# Read by the settings but never set on a deployed app: local runs, tests and the sandboxes only.
NOT_FOR_PRODUCTION = {"COACHPORTAL_SKIP_DOTENV", "LOCAL_PLAIN_HTTP", "SANDBOX_ALLOWED"}
# What the deployer types when app.json asks for a required value.
TYPED = {
    "ALLOWED_HOSTS": "coach.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://coach.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "AWS_STORAGE_BUCKET_NAME": "coach-videos",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example-secret",
}


def variables_read_by_settings() -> set[str]:
    return set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS.read_text()))


def deploy_env(*, with_optional_values=True) -> dict[str, str]:
    """The config vars of a fresh deploy: generated secrets, typed required values, declared values."""
    env = {"COACHPORTAL_SKIP_DOTENV": "1", "DATABASE_URL": "sqlite:///deploy-check.sqlite3"}  # the add-on
    for name, spec in ENV.items():
        if spec.get("generator") == "secret":
            env[name] = secrets.token_hex(32)  # what the platform's generator makes
        elif spec.get("required"):
            env[name] = TYPED[name]
        elif with_optional_values and "value" in spec:
            env[name] = spec["value"]
    return env


def starts(env: dict[str, str], monkeypatch) -> str | None:
    """Run the settings module with exactly `env`; return why it refuses to start, or None."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        runpy.run_path(str(SETTINGS))
    except ImproperlyConfigured as error:
        return str(error)
    return None


def test_every_variable_the_settings_read_is_declared_with_a_description():
    undeclared = variables_read_by_settings() - set(ENV) - NOT_FOR_PRODUCTION
    assert not undeclared, f"add these to app.json: {sorted(undeclared)}"
    for name, spec in ENV.items():
        assert spec.get("description", "").strip(), name
        assert not ({"value", "generator"} <= set(spec)), name


def test_a_deploy_with_only_the_declared_values_starts(monkeypatch):
    assert starts(deploy_env(), monkeypatch) is None
    assert starts(deploy_env(with_optional_values=False), monkeypatch) is None  # defaults suffice


def test_every_variable_production_cannot_start_without_is_required_or_generated(monkeypatch):
    full = deploy_env()
    needed = {name for name in full if name in ENV and starts(full | {name: ""}, monkeypatch) is not None}
    assert needed, "the settings refuse no missing variable: this test would prove nothing"
    for name in needed:
        assert ENV[name].get("required") or ENV[name].get("generator") == "secret", name
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "EMAIL_HOST"} <= needed


def test_the_platform_runs_web_worker_and_release_with_postgres_and_the_scheduler():
    assert set(MANIFEST["formation"]) == {"web", "worker"}
    assert {addon["plan"].split(":")[0] for addon in MANIFEST["addons"]} == {"heroku-postgresql", "scheduler"}
    procfile = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert {"release", "web", "worker"} <= set(procfile)
    assert "migrate" in procfile["release"]


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_declared_values(tmp_path):
    env = deploy_env() | {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PATH": os.environ["PATH"]}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
