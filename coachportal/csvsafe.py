"""CSV cells that spreadsheets will not run as formulas (CSV / formula injection).

A cell that starts with = + - @ tab or carriage return can be evaluated by Excel, LibreOffice or
Google Sheets, e.g. `=cmd|' /C calc'!A0` or `=HYPERLINK(...)`. Every CSV export of user-entered text
passes its cells through `safe_cell`; it prefixes such cells with a single quote, which spreadsheets
show as text. See https://owasp.org/www-community/attacks/CSV_Injection.
"""

from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return `value` ready for a CSV cell: text that could start a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def unescape_cell(value: str) -> str:
    """Undo `safe_cell` on a cell read back from one of our own exports (a round trip keeps the text)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
