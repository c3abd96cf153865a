"""AI on the Ball's video requirements, checked on the stored file before anything is sent.

The facts come from the shared probe (coachportal.videofiles.probe: header and index only, ranged
reads on S3); this module holds only what AI on the Ball asks of them.

Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/ ("Video Requirements")
"""
# ruff: noqa: RUF001, RUF003 (en dashes and × are the typography people read)

from __future__ import annotations

from django.conf import settings

from coachportal.videofiles.probe import VideoFacts

MIN_SECONDS = 10 * 60
MAX_LONG_SIDE, MAX_SHORT_SIDE = 1920, 1080
REQUIRED_FPS = 25
FPS_TOLERANCE = 0.01

NOT_MP4 = "“{name}” is not an MP4 file. AI on the Ball accepts MP4 only: export or convert the match to MP4."
TOO_SHORT = "The video is {length}; AI on the Ball needs at least {minimum} of match."
TOO_LARGE = "The video is {width}×{height}; AI on the Ball accepts at most 1080p (1920×1080)."
WRONG_FPS = "The video runs at {fps} frames per second; AI on the Ball needs exactly 25 fps."
NO_FPS = "The video's frame rate could not be read; AI on the Ball needs exactly 25 fps."


def min_seconds() -> int:
    # A setting only so tests can use short clips; the provider's minimum is 10 minutes.
    return int(getattr(settings, "MATCHES_MIN_SECONDS", MIN_SECONDS))


def clock(seconds: float) -> str:
    seconds = round(seconds)
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def problems(facts: VideoFacts, *, name: str) -> list[str]:
    """Every requirement the video fails, as messages for the person who chose the file."""
    if facts.container != "mp4":
        return [NOT_MP4.format(name=name)]
    if facts.problem and facts.duration is None and facts.width is None:
        return [facts.refusal(name)]  # cut off, no index, not readable: nothing else can be judged
    found = []
    if facts.duration is None or facts.duration < min_seconds():
        length = clock(facts.duration) if facts.duration else "of unknown length"
        found.append(TOO_SHORT.format(length=length, minimum=clock(min_seconds())))
    if facts.width and facts.height:
        long_side, short_side = max(facts.width, facts.height), min(facts.width, facts.height)
        if long_side > MAX_LONG_SIDE or short_side > MAX_SHORT_SIDE:
            found.append(TOO_LARGE.format(width=facts.width, height=facts.height))
    if facts.fps is None:
        found.append(NO_FPS)
    elif abs(facts.fps - REQUIRED_FPS) > FPS_TOLERANCE:
        found.append(
            WRONG_FPS.format(fps=f"{facts.fps:g}" if facts.fps == int(facts.fps) else f"{facts.fps:.2f}")
        )
    return found
