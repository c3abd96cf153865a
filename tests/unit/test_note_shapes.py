"""Drawing data: normalised points, known shapes only, angles measured on the picture."""

import json

import pytest

from coachportal.notes import shapes


def test_a_right_angle_on_a_wide_frame_reads_90_degrees():
    # On a 16:9 frame, 0.09 of the width is as long as 0.16 of the height.
    points = [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]]
    assert shapes.angle_degrees(points, 16 / 9) == 90.0
    # The same points on a square frame are not a right angle's arms of equal length, but still 90°.
    assert shapes.angle_degrees(points, 1.0) == 90.0
    # A diagonal depends on the frame's shape: 45° on a square, not on a wide frame.
    diagonal = [[0.6, 0.5], [0.5, 0.5], [0.6, 0.4]]
    assert shapes.angle_degrees(diagonal, 1.0) == 45.0
    assert shapes.angle_degrees(diagonal, 16 / 9) == pytest.approx(29.4, abs=0.1)


def test_clean_keeps_known_shapes_clamps_points_and_computes_the_angle():
    raw = json.dumps(
        [
            {"type": "arrow", "points": [[0.1, 0.2], [1.5, -0.3]], "colour": "red"},
            {"type": "text", "points": [[0.3, 0.3]], "text": "  knee  "},
            {"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 12},
        ]
    )
    cleaned = shapes.clean(raw, aspect=16 / 9)
    assert cleaned == [
        {"type": "arrow", "points": [[0.1, 0.2], [1.0, 0.0]]},
        {"type": "text", "points": [[0.3, 0.3]], "text": "knee"},
        {"type": "angle", "points": [[0.5, 0.34], [0.5, 0.5], [0.59, 0.5]], "degrees": 90.0},
    ]
    assert shapes.summary(cleaned) == "arrow, label “knee”, angle 90.0°"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "The drawing could not be read. Clear it and draw again."),
        ('{"type": "arrow"}', "The drawing could not be read. Clear it and draw again."),
        ('[{"type": "script", "points": [[0, 0]]}]', "The drawing holds a shape this page does not know."),
        ('[{"type": "angle", "points": [[0, 0], [1, 1]]}]', "An angle needs 3 points."),
        ('[{"type": "arrow", "points": [[0, "x"], [1, 1]]}]', "A drawing point is not a pair of numbers."),
        ('[{"type": "arrow", "points": [[0, NaN], [1, 1]]}]', "A drawing point is not a pair of numbers."),
        ('[{"type": "text", "points": [[0, 0]], "text": " "}]', "A label needs some text."),
        (
            json.dumps([{"type": "circle", "points": [[0, 0], [1, 1]]}] * 31),
            "A note holds at most 30 shapes.",
        ),
    ],
)
def test_clean_refuses_what_it_cannot_store(raw, message):
    with pytest.raises(shapes.InvalidShapes) as error:
        shapes.clean(raw, aspect=1.0)
    assert str(error.value) == message
