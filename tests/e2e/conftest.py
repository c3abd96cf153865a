"""Browser tests: Playwright driving Debian's chromium against a live test server."""

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from .looking import look

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make around it are
# still plain synchronous calls, so Django's guard against async use does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before `-m "not e2e"` deselects by mark
def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser: mark it `e2e` (and skip it when chromium is missing)."""
    browser_tests = [item for item in items if HERE in item.path.parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
    if Path(CHROMIUM).exists() or not browser_tests:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs chromium for the browser tests; none at {CHROMIUM}.")
    skip = pytest.mark.skip(reason="chromium is not installed (`make browser` installs it)")
    for item in browser_tests:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot(page):
    """Save full-page screenshots at desktop and phone widths and run axe-core on both (looking.look)."""

    def take(name: str, **options):
        look(page, name, **options)

    return take


@pytest.fixture
def axe(page):
    """Run axe-core on the page as it is now; fail on serious or critical violations, naming them."""
    checker = Axe()

    def check(context: str | None = None):
        results = checker.run(page, context=context)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        report = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in bad]
        assert not bad, f"axe found serious or critical problems on {page.url}:\n" + "\n".join(report)

    return check
