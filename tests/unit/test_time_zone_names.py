"""Old zone names that browsers still report map to the current ones, read from the zone database's own
link table (no list written by hand); the choices offer each zone once, under its current name."""

import pytest

from coachportal.accounts import zones


@pytest.mark.parametrize(
    ("reported", "current"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),  # Chrome on an Indian machine
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Saigon", "Asia/Ho_Chi_Minh"),
        ("America/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/UTC", "UTC"),
        ("UTC", "UTC"),
        ("Europe/Amsterdam", "Europe/Amsterdam"),  # a current name stays itself (not merged into Brussels)
        ("  Europe/Oslo ", "Europe/Oslo"),
    ],
)
def test_an_old_or_current_name_gives_the_current_name(reported, current):
    assert zones.canonical(reported) == current


@pytest.mark.parametrize("name", ["", None, "Mars/Olympus", "asia/kolkata", "posix/Europe/Paris", "../etc"])
def test_a_name_of_no_zone_gives_none(name):
    assert zones.canonical(name) is None


def test_the_choices_name_each_zone_once_under_its_current_name():
    names = zones.zone_names()
    assert "Asia/Kolkata" in names and "America/New_York" in names and "Europe/Kyiv" in names
    assert "Asia/Calcutta" not in names and "US/Eastern" not in names and "Europe/Kiev" not in names
    assert "UTC" in names and not any(n.startswith(("Etc/", "posix/", "right/")) for n in names)
    assert len(names) == len(set(names)) > 300


def test_a_zone_stored_under_an_old_name_still_reads_as_that_zone():
    assert zones.zone_named("Asia/Calcutta").key == "Asia/Kolkata"
    assert zones.zone_named("Nowhere/Land").key == "UTC"


def test_forms_keep_the_current_name_or_what_was_given_for_validation_to_refuse():
    assert zones.current_or_given("US/Eastern") == "America/New_York"
    assert zones.current_or_given("Mars/Olympus") == "Mars/Olympus"
    assert zones.current_or_given("") == ""
