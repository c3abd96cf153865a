"""The provider's timing turned into markers under the video, and the frame rate it states."""

import pytest

from coachportal.sessions.timing import Marker, markers, provider_frame_rate


@pytest.mark.parametrize(
    ("raw", "metrics", "fps"),
    [
        ({"fps": 60}, {}, 60.0),
        ({}, {"FPS": [50, 50, 50]}, 50.0),
        ({}, {"FPS": [50, 60]}, None),  # disagreeing segments: not trusted
        ({"fps": 0}, {}, None),
        ({"fps": True}, {}, None),
        ({"fps": "60"}, {}, None),
        ({}, {}, None),
    ],
)
def test_the_frame_rate_the_provider_states(raw, metrics, fps):
    assert provider_frame_rate(raw, metrics) == fps


def test_jump_markers_are_where_each_jump_ends_at_the_real_frame_rate():
    found = markers("jumping", {"end_frames": [240, 120]}, {}, 60.0)
    assert found == [Marker("Jump 1 ends", 2.0), Marker("Jump 2 ends", 4.0)]
    assert markers("jumping", {"end_frames": [240]}, {}, None) == []  # frames need a frame rate


def test_weightlifting_markers_follow_the_phases_of_the_lift():
    metrics = {"start_of_lifting": 30, "first_pull_end": 60, "catch_end": 90, "max_power": 900}
    assert markers("weightlifting", {}, metrics, 30.0) == [
        Marker("Start of lift", 1.0),
        Marker("End of first pull", 2.0),
        Marker("End of catch", 3.0),
    ]


def test_running_markers_are_the_segment_timestamps_in_seconds():
    raw = {"segments": 3, "all_timestamps": [0.5, 1.5, 2.5]}
    assert [m.seconds for m in markers("running", raw, {}, None)] == [0.5, 1.5, 2.5]
    assert markers("running", {"segments": 2, "all_timestamps": [0.1, 0.2, 0.3]}, {}, None) == []
