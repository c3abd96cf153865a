"""The layers of DESIGN.md section 10 hold, and a crossing would be caught (lint-imports, as `make lint`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = [
    pytest.mark.slow,  # each run builds the import graph of the whole package (a few seconds)
    pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed"),
]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200"}  # wide: no wrapped import lines
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "coachportal",
        tmp_path / "coachportal",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("sessions", "coachportal.uploads.models", "import neither uploads nor matches"),
        ("organizations", "coachportal.sessions.models", "Accounts and organizations know no feature"),
        ("providers", "coachportal.organizations.models", "import nothing of the portal"),
        ("athletes", "coachportal.sessions.models", "Layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, forbidden, contract):
    tree = copy_of_the_tree(tmp_path)
    (tree / "coachportal" / module / "crossing.py").write_text(f"import {forbidden}  # noqa: F401\n")

    result = lint_imports(tree)

    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert f"coachportal.{module}.crossing -> {forbidden}" in " ".join(broken.split())


@pytest.mark.parametrize(
    ("module", "hidden", "contract"),
    [
        # The cycles that function-level imports once hid: the poll step asking services for the file
        # link, and the sync asking its own task module to queue the next run.
        ("matches/sync.py", "from .services import provider_file_url", "Inside matches"),
        ("sessions/sync.py", "from .tasks import sync_sessions", "Inside the library (sessions)"),
    ],
)
def test_an_import_hidden_in_a_function_that_closes_a_cycle_breaks_its_contract(
    tmp_path, module, hidden, contract
):
    tree = copy_of_the_tree(tmp_path)
    path = tree / "coachportal" / module
    path.write_text(path.read_text() + f"\n\ndef _hidden():\n    {hidden}  # noqa: F401\n")

    result = lint_imports(tree)

    assert result.returncode != 0, result.stdout
    assert contract in result.stdout.split("Broken contracts", 1)[-1]
