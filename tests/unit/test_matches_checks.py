"""The provider's video requirements are checked from the file's metadata, with clear messages."""
# ruff: noqa: RUF001, RUF002, RUF003 (en dashes and × are the typography people read)

import time

import pytest

from coachportal.matches import checks
from coachportal.matches.testvideos import make_video
from coachportal.videofiles import probe


@pytest.fixture(scope="session")
def ten_minute_clip(tmp_path_factory):
    """A real 10-minute 25 fps 320×180 MP4 (flat picture, one keyframe: a couple of seconds to make)."""
    started = time.monotonic()
    path = make_video(tmp_path_factory.mktemp("clips") / "match.mp4", seconds=600)
    assert time.monotonic() - started < 120  # seconds; generous for a loaded machine
    return path


@pytest.mark.slow  # makes a 10-minute video (~3 s of CPU)
def test_a_ten_minute_25_fps_mp4_passes(ten_minute_clip):
    facts = probe.probe(str(ten_minute_clip))
    assert facts.container == "mp4"
    assert facts.duration == pytest.approx(600, abs=1)
    assert (facts.width, facts.height, facts.fps) == (320, 180, 25)
    assert checks.problems(facts, name="match.mp4") == []


def test_a_two_second_clip_is_too_short(tmp_path):
    facts = probe.probe(str(make_video(tmp_path / "short.mp4", seconds=2)))
    assert checks.problems(facts, name="short.mp4") == [
        "The video is 2 s; AI on the Ball needs at least 10 min of match."
    ]


def test_the_wrong_frame_rate_is_named(tmp_path):
    facts = probe.probe(str(make_video(tmp_path / "thirty.mp4", seconds=2, fps=30)))
    assert "The video runs at 30 frames per second; AI on the Ball needs exactly 25 fps." in checks.problems(
        facts, name="thirty.mp4"
    )


def test_more_than_1080p_is_too_large(tmp_path):
    facts = probe.probe(str(make_video(tmp_path / "big.mp4", seconds=0.2, width=2560, height=1440)))
    assert "The video is 2560×1440; AI on the Ball accepts at most 1080p (1920×1080)." in checks.problems(
        facts, name="big.mp4"
    )


def test_exactly_1080p_is_fine(tmp_path):
    facts = probe.probe(str(make_video(tmp_path / "hd.mp4", seconds=0.2, width=1920, height=1080)))
    assert not any("1080p" in problem for problem in checks.problems(facts, name="hd.mp4"))


def test_a_matroska_file_is_not_mp4(tmp_path):
    path = make_video(tmp_path / "match.mkv", seconds=1, container="matroska")
    facts = probe.probe(str(path))
    assert facts.container == "mkv"
    assert checks.problems(facts, name="match.mkv") == [
        "“match.mkv” is not an MP4 file. AI on the Ball accepts MP4 only: export or convert the match to MP4."
    ]


def test_a_file_that_is_not_a_video_is_not_mp4(tmp_path):
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"just some text, not a video at all" * 10)
    assert checks.problems(probe.probe(str(path)), name="notes.mp4") == [
        checks.NOT_MP4.format(name="notes.mp4")
    ]


def test_a_truncated_mp4_cannot_be_read(tmp_path):
    whole = make_video(tmp_path / "whole.mp4", seconds=1).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[:40])
    assert checks.problems(probe.probe(str(path)), name="cut.mp4") == [probe.NO_INDEX.format(name="cut.mp4")]


def test_an_open_file_is_probed_too(tmp_path):
    path = make_video(tmp_path / "short.mp4", seconds=2)
    with path.open("rb") as handle:
        facts = probe.probe(handle)
    assert (facts.container, facts.width, facts.fps) == ("mp4", 320, 25)


def test_the_minimum_is_a_setting_for_tests_only(settings):
    settings.MATCHES_MIN_SECONDS = 1
    facts = probe.VideoFacts("mp4", 2.0, 320, 180, 25.0)
    assert checks.problems(facts, name="x.mp4") == []
