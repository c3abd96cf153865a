"""Cells that a spreadsheet could run as a formula are exported as text."""

import csv
import io

import pytest

from coachportal.csvsafe import safe_cell, safe_row, unescape_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2 kg", "'-2 kg"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ada Runner", "Ada Runner"),
        ("a=b", "a=b"),
        ("", ""),
        (" =1", " =1"),
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_a_leading_quote(value, expected):
    assert safe_cell(value) == expected


def test_numbers_and_none_stay_plain():
    assert safe_row([3, -2.5, None, "x"]) == [3, -2.5, "", "x"]


@pytest.mark.parametrize("value", ["=1+1", "-3 kg", "plain", "'quoted already", "'", ""])
def test_unescape_undoes_safe_cell(value):
    assert unescape_cell(safe_cell(value)) == value


def test_a_written_row_reads_back_as_text():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(["=cmd|' /C calc'!A0", "ok"]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd|' /C calc'!A0", "ok"]
