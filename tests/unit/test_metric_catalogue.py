"""The metric catalogue: conversions to display units, summaries of a session's values, directions."""

import statistics

import pytest

from coachportal.sessions import catalogue
from coachportal.sessions.catalogue import Difference, Summary, difference, metric, summarise


def test_jump_height_is_shown_in_centimetres():
    height = metric("jump_height", "jumping")
    assert height.display(0.504) == pytest.approx(50.4)
    assert height.format(0.504) == "50.4 cm"


def test_times_in_seconds_are_shown_in_milliseconds():
    contact = metric("contact_time", "running")
    assert contact.display(0.2125) == pytest.approx(212.5)
    assert contact.format(0.2126) == "213 ms"
    assert metric("flight_time", "jumping").format(0.61) == "610 ms"


def test_a_time_the_provider_sends_in_milliseconds_is_not_converted_again():
    assert metric("total_time", "weightlifting").format(2480) == "2,480 ms"


def test_speeds_stay_in_metres_per_second():
    assert metric("speed", "running").format(3.456) == "3.46 m/s"
    assert metric("max_bar_speed", "weightlifting").format(1.8) == "1.80 m/s"


def test_masses_are_kilograms_or_pounds_as_the_organization_prefers():
    barbell = metric("barbell_weight", "weightlifting")
    assert barbell.format(100) == "100.0 kg"
    assert barbell.format(100, mass_unit="lb") == "220.5 lb"
    assert barbell.display(100, mass_unit="lb") == pytest.approx(220.462, abs=0.001)
    # Only masses follow the preference.
    assert metric("jump_height", "jumping").format(0.5, mass_unit="lb") == "50.0 cm"


def test_degrees_and_percentages_sit_next_to_the_number():
    assert metric("contact_angle", "running").format(88.04) == "88.0°"
    assert metric("rbalance", "running").format(49.64) == "49.6%"


def test_what_is_not_a_number_shows_a_dash():
    height = metric("jump_height", "jumping")
    for value in (None, "0.5", True, float("nan"), float("inf")):
        assert height.display(value) is None
        assert height.format(value) == catalogue.MISSING


def test_a_session_is_summarised_by_its_best_and_its_mean():
    height = metric("jump_height", "jumping")
    summary = summarise(height, [0.40, 0.52, 0.46, 0.42])
    assert summary == Summary(best=0.52, mean=pytest.approx(0.45), n=4)
    assert height.headline(summary) == 0.52
    assert height.summary_label(summary.n) == "Jump height (best of 4)"


def test_best_of_a_lower_is_better_metric_is_its_smallest_value():
    contact = metric("contact_time", "jumping")
    assert summarise(contact, [0.25, 0.21, 0.3]).best == 0.21


def test_a_metric_summarised_by_its_mean_says_so():
    speed = metric("speed", "running")
    summary = summarise(speed, [3.0, 3.2, 3.4])
    assert speed.headline(summary) == pytest.approx(3.2)
    assert speed.summary_label(3) == "Speed (mean of 3)"
    assert speed.summary_label(1) == "Speed"


def test_a_neutral_metric_has_no_best():
    cadence = metric("cadence", "running")
    summary = summarise(cadence, [170, 174])
    assert summary.best is None and summary.mean == 172
    assert cadence.headline(summary) == 172
    assert cadence.summary_label(2) == "Cadence (mean of 2)"


def test_a_scalar_is_one_value_and_junk_in_a_series_is_skipped():
    assert summarise(metric("max_power", "weightlifting"), 1234.5) == Summary(1234.5, 1234.5, 1)
    assert summarise(metric("jump_height", "jumping"), [0.4, None, "x", True, 0.5]).n == 2
    assert summarise(metric("jump_height", "jumping"), []) == Summary(None, None, 0)


def test_directions_decide_which_difference_is_better():
    height, contact, cadence = metric("jump_height", "jumping"), metric("contact_time"), metric("cadence")
    assert difference(height, 0.40, 0.44) == Difference(pytest.approx(4.0), pytest.approx(10.0), True)
    assert difference(height, 0.44, 0.40).better is False
    assert difference(contact, 0.25, 0.20).better is True  # shorter contact is better
    assert difference(contact, 0.20, 0.25).better is False
    assert difference(cadence, 170, 180).better is None  # neither is better
    assert difference(height, 0.40, 0.40).better is None
    # Float noise below the shown decimals is no change, not "better".
    assert difference(contact, 0.7, statistics.fmean([0.7, 0.7, 0.7])) == Difference(0.0, 0.0, None)
    assert difference(height, None, 0.40) is None


def test_a_difference_reads_with_its_sign_unit_and_percentage():
    height = metric("jump_height", "jumping")
    assert height.format_difference(difference(height, 0.40, 0.44)) == "+4.0 cm (+10.0%)"
    assert height.format_difference(difference(height, 0.44, 0.40)) == "-4.0 cm (-9.1%)"
    assert height.format_difference(difference(height, 0.0, 0.40)) == "+40.0 cm"


def test_every_activity_has_key_metrics_the_catalogue_knows():
    for activity, keys in catalogue.KEY_METRICS.items():
        assert [m.key for m in catalogue.key_metrics(activity)] == keys
        assert all(key in catalogue.CATALOGUE[activity] for key in keys)
        assert all(m.direction in ("higher", "lower", "neutral") for m in catalogue.key_metrics(activity))


def test_an_unknown_key_gets_a_readable_label_and_plain_numbers():
    odd = metric("lateral_sway_index")
    assert odd.label == "Lateral sway index"
    assert odd.format(1.23456) == "1.235"
    assert odd.direction == "neutral"


def test_csv_headers_name_the_summary_and_unit():
    assert metric("jump_height", "jumping").column_header() == "Jump height, best (cm)"
    assert metric("barbell_weight").column_header(mass_unit="lb") == "Barbell weight, best (lb)"
    assert metric("jump_height", "jumping").export_value(0.50449) == 50.4


def test_the_catalogue_reads_its_metrics_from_group_headed_tables():
    table = catalogue._table(
        """
        Jump
        jump_height | Jump height | cm | 1 | best | higher | 100
        # a comment line keeps the group
        body_mass   | Body mass   | kg | 1 | mean | neutral |
        """
    )

    height, mass = table
    assert (height.group, height.scale, height.summary, height.is_mass) == ("Jump", 100.0, "best", False)
    assert (mass.group, mass.scale, mass.is_mass) == ("Jump", 1.0, True)
    assert [m.group for m in catalogue.known_metrics("weightlifting")][:2] == ["Bar", "Bar"]


def test_a_catalogue_line_with_a_misspelt_direction_is_refused():
    with pytest.raises(ValueError, match="'higer'"):
        catalogue._table("Jump\njump_height | Jump height | cm | 1 | best | higer |")
