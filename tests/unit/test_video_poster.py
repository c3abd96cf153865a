"""A poster frame is a small JPEG of one decoded frame; anything that is not a readable video is refused."""

import pytest

from coachportal.videofiles.poster import PosterFailed, poster_jpeg


def test_a_poster_frame_is_a_small_jpeg_of_the_requested_width(aikynetix_video):
    data = poster_jpeg(str(aikynetix_video), width=96)
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    assert len(data) < 20_000


@pytest.mark.parametrize("content", [b"", b"not a video at all", b"\x00\x00\x00\x18ftypmp42"])
def test_a_file_that_is_not_a_readable_video_gives_no_poster(tmp_path, content):
    path = tmp_path / "x.mp4"
    path.write_bytes(content)
    with pytest.raises(PosterFailed):
        poster_jpeg(str(path))
