"""Look at a page as a person would: screenshots at desktop and phone widths, axe-core at both.

`look(page, name)` is what every browser test calls at each page and state it visits: it saves the two
screenshots for a person to open and fails on any serious or critical axe-core violation, at either width
(the phone layout has its own states, such as the menu disclosure).
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = ((1280, 800, "desktop"), (390, 844, "phone"))
FAILING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def axe_violations(page) -> list[str]:
    """The serious and critical axe-core violations on the page as it is now, one line each."""
    results = _axe.run(page, options={"resultTypes": ["violations"]})
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:5]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def horizontal_overflow(page) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def look(page, name: str, *, overflow: bool = False) -> None:
    """Screenshot the page at both widths and check it with axe-core; `overflow` also asserts it fits."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height, label in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
        problems += [f"{label} {page.url}: {v}" for v in axe_violations(page)]
        if overflow and (extra := horizontal_overflow(page)) > 0:
            problems.append(f"{label} {page.url}: scrolls {extra}px sideways")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not problems, f"{name}:\n" + "\n".join(problems)


def log_in(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (default: the personas' password)."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_UNISOLATED = """(controls) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (![...controls].some((c) => node.data.includes(c))) continue;
    const box = node.parentElement.closest('bdi, [dir="auto"]');
    // Isolated means: a bdi (or dir=auto element) that holds this name and nothing else around it.
    const alone = box && box.textContent.trim() === node.data.trim();
    if (!alone) found.push(node.parentElement.outerHTML.slice(0, 200));
  }
  return found;
}"""


def unisolated_bidi_text(page) -> list[str]:
    """Elements whose text holds a direction control (such as U+202E) without being isolated by <bdi>."""
    return page.evaluate(_UNISOLATED, BIDI_CONTROLS)
