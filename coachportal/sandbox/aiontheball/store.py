"""The sandbox's state: key-holders, videos and analyses in one JSON file in the data dir.

Statuses are not stored: they are derived from wall-clock timestamps and the step length, so a
restart continues exactly where the clock is.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_FILE = "aiontheball.json"
FIRST_VIDEO_ID = 1000
FIRST_ANALYSIS_ID = 5000
FIRST_KEYHOLDER_ID = 1
MIN_ANALYSABLE_SECONDS = 600
DEFAULT_MATCH_SECONDS = 5400
# New analyses run the newest engine (data version 3); the demo also keeps an older one.
CURRENT_ALGORITHM = "0.5.12"
CURRENT_DATA_VERSION = 3

ADJECTIVES = ("happy", "swift", "brave", "calm", "bold", "bright", "quick", "quiet", "proud", "wise")
ANIMALS = ("dolphin", "eagle", "falcon", "otter", "tiger", "heron", "lynx", "panda", "badger", "raven")


def empty_state() -> dict[str, Any]:
    return {
        "next_ids": {"keyholder": FIRST_KEYHOLDER_ID, "video": FIRST_VIDEO_ID, "analysis": FIRST_ANALYSIS_ID},
        "keyholders": {},
        "videos": {},
        "analyses": {},
    }


def game_name(video_id: int) -> str:
    """A unique, human-readable slug like the provider's ("swift-eagle-43")."""
    return f"{ADJECTIVES[video_id % 10]}-{ANIMALS[(video_id // 10) % 10]}-{video_id}"


@dataclass(frozen=True)
class VideoState:
    status: str
    available_at: float | None  # when the video became (or becomes) available
    failed_at: float | None
    duration: int | None


@dataclass(frozen=True)
class AnalysisState:
    status: str
    progress: int
    results_available: bool
    finished_at: float | None


class Store:
    """Thread-safe state with a write-through JSON file."""

    def __init__(self, data_dir: Path, *, step_seconds: float) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "media").mkdir(exist_ok=True)
        self.step = float(step_seconds)
        self.lock = threading.RLock()
        self.path = self.data_dir / STATE_FILE
        self.state = self._load()

    def _load(self) -> dict[str, Any]:
        if self.path.exists():
            with self.path.open(encoding="utf-8") as handle:
                return json.load(handle)
        return empty_state()

    def save(self) -> None:
        with self.lock:
            tmp = self.path.with_suffix(".tmp")
            with tmp.open("w", encoding="utf-8") as handle:
                json.dump(self.state, handle)
            # Atomic replace: a crash mid-write never leaves a half-written state file.
            os.replace(tmp, self.path)

    def reset(self) -> None:
        with self.lock:
            self.state = empty_state()
            for path in (self.data_dir / "media").glob("*"):
                with contextlib.suppress(OSError):
                    path.unlink()
            self.save()

    def _next_id(self, kind: str) -> int:
        value = self.state["next_ids"][kind]
        # Skip ids taken by fixed demo records.
        while str(value) in self.state[f"{kind}s" if kind != "analysis" else "analyses"]:
            value += 1
        self.state["next_ids"][kind] = value + 1
        return value

    # -- key-holders --------------------------------------------------------------------------------

    def create_keyholder(self, *, name: str = "", token: str | None = None, keyholder_id: int | None = None):
        with self.lock:
            token = token or f"aiob-sandbox-{secrets.token_urlsafe(24)}"
            if any(holder["token"] == token for holder in self.state["keyholders"].values()):
                raise ValueError("That token is already in use.")
            if keyholder_id is None:
                keyholder_id = self._next_id("keyholder")
            holder = {
                "id": keyholder_id,
                "name": name or f"Key-holder {keyholder_id}",
                "token": token,
                "webhook_url": None,
                "created_at": time.time(),
            }
            self.state["keyholders"][str(keyholder_id)] = holder
            self.save()
            return copy.deepcopy(holder)

    def keyholder_for_token(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            for holder in self.state["keyholders"].values():
                if secrets.compare_digest(holder["token"].encode(), token.encode()):
                    return copy.deepcopy(holder)
        return None

    def keyholders(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(list(self.state["keyholders"].values()))

    def delete_keyholder(self, keyholder_id: int) -> bool:
        with self.lock:
            removed = self.state["keyholders"].pop(str(keyholder_id), None)
            self.save()
            return removed is not None

    def set_webhook(self, keyholder_id: int, url: str | None) -> bool:
        with self.lock:
            holder = self.state["keyholders"].get(str(keyholder_id))
            if holder is None:
                return False
            holder["webhook_url"] = url
            self.save()
            return True

    # -- videos -------------------------------------------------------------------------------------

    def add_video(self, owner: int, fields: dict[str, Any], *, video_id: int | None = None, **extra: Any):
        with self.lock:
            if video_id is None:
                video_id = self._next_id("video")
            video = {
                "id": video_id,
                "owner": owner,
                "game_name": game_name(video_id),
                "created_at": time.time(),
                "fetch": {"state": "pending", "at": None, "path": None, "duration": None, "error": None},
                **fields,
                **extra,
            }
            self.state["videos"][str(video_id)] = video
            self.save()
            return copy.deepcopy(video)

    def video(self, video_id: int, owner: int | None = None) -> dict[str, Any] | None:
        with self.lock:
            video = self.state["videos"].get(str(video_id))
            if video is None or (owner is not None and video["owner"] != owner):
                return None
            return copy.deepcopy(video)

    def videos_of(self, owner: int) -> list[dict[str, Any]]:
        with self.lock:
            videos = [video for video in self.state["videos"].values() if video["owner"] == owner]
            return copy.deepcopy(sorted(videos, key=lambda video: video["id"]))

    def all_videos(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(list(self.state["videos"].values()))

    def update_video(self, video_id: int, changes: dict[str, Any]) -> None:
        with self.lock:
            self.state["videos"][str(video_id)].update(changes)
            self.save()

    def set_fetch(self, video_id: int, **fetch: Any) -> None:
        with self.lock:
            video = self.state["videos"].get(str(video_id))
            if video is not None:
                video["fetch"].update(fetch)
                self.save()

    def delete_video(self, video_id: int) -> None:
        with self.lock:
            video = self.state["videos"].pop(str(video_id), None)
            # Deleting a video deletes its analyses too (documented as irreversible).
            for key in [key for key, item in self.state["analyses"].items() if item["video_id"] == video_id]:
                del self.state["analyses"][key]
            self.save()
        if video and video["fetch"].get("path"):
            with contextlib.suppress(OSError):
                (self.data_dir / video["fetch"]["path"]).unlink()

    # -- analyses -----------------------------------------------------------------------------------

    def add_analysis(self, owner: int, video_id: int, *, analysis_id: int | None = None, **fields: Any):
        with self.lock:
            if analysis_id is None:
                analysis_id = self._next_id("analysis")
            analysis = {
                "id": analysis_id,
                "owner": owner,
                "video_id": video_id,
                "created_at": time.time(),
                "fps": 25,
                "algorithm_version": CURRENT_ALGORITHM,
                "data_version": CURRENT_DATA_VERSION,
                "notified": {"status": None, "progress": None},
                **fields,
            }
            self.state["analyses"][str(analysis_id)] = analysis
            self.save()
            return copy.deepcopy(analysis)

    def analysis(self, analysis_id: int, owner: int | None = None) -> dict[str, Any] | None:
        with self.lock:
            analysis = self.state["analyses"].get(str(analysis_id))
            if analysis is None or (owner is not None and analysis["owner"] != owner):
                return None
            return copy.deepcopy(analysis)

    def analyses_of_video(self, video_id: int) -> list[dict[str, Any]]:
        with self.lock:
            found = [item for item in self.state["analyses"].values() if item["video_id"] == video_id]
            return copy.deepcopy(sorted(found, key=lambda item: item["id"]))

    def all_analyses(self) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(list(self.state["analyses"].values()))

    def mark_notified(self, analysis_id: int, status: str, progress: int) -> None:
        with self.lock:
            analysis = self.state["analyses"].get(str(analysis_id))
            if analysis is not None:
                analysis["notified"] = {"status": status, "progress": progress}
                self.save()

    # -- derived statuses ---------------------------------------------------------------------------

    def video_state(self, video: dict[str, Any], now: float | None = None) -> VideoState:
        """Walk init → downloading → locally_available → available, one step each."""
        now = time.time() if now is None else now
        step, created, fetch = self.step, video["created_at"], video["fetch"]
        duration = trimmed_duration(video)
        if now < created + step:
            return VideoState("init", None, None, None)
        if now < created + 2 * step or fetch["state"] == "pending":
            return VideoState("downloading", None, None, None)
        local_at = max(created + 2 * step, fetch["at"] or created)
        if fetch["state"] == "failed":
            return VideoState("error", None, local_at, None)
        if now < local_at + step:
            return VideoState("locally_available", None, None, duration)
        if video.get("outcome") == "no_match":
            return VideoState("no_match_detected", None, local_at + step, duration)
        return VideoState("available", local_at + step, None, duration)

    def analysis_state(self, analysis: dict[str, Any], now: float | None = None) -> AnalysisState:
        """Walk init → waiting_for_video → running → aggregating → done (or error), one step each."""
        now = time.time() if now is None else now
        step, created = self.step, analysis["created_at"]
        video = self.video(analysis["video_id"])
        if video is None:
            return AnalysisState("error", 0, False, created)
        video_state = self.video_state(video, now)
        if now < created + step:
            return AnalysisState("init", 0, False, None)
        if video_state.failed_at is not None:
            return AnalysisState("error", 0, False, max(created + step, video_state.failed_at))
        if video_state.available_at is None:
            return AnalysisState("waiting_for_video", 0, False, None)
        if video_state.duration is not None and video_state.duration < MIN_ANALYSABLE_SECONDS:
            # The documented minimum is 10 minutes; a shorter download fails its analyses.
            return AnalysisState("error", 0, False, max(created + step, video_state.available_at))
        started = max(created + step, video_state.available_at)
        elapsed = now - started
        fails = video.get("outcome") == "analysis_error"
        if elapsed < 2 * step:
            if fails and elapsed >= step:
                return AnalysisState("error", 40, False, started + step)
            return AnalysisState("running", int(elapsed / (2 * step) * 80), False, None)
        if fails:
            return AnalysisState("error", 40, False, started + step)
        if elapsed < 3 * step:
            return AnalysisState("aggregating", 80 + int((elapsed - 2 * step) / step * 19), False, None)
        return AnalysisState("done", 100, True, started + 3 * step)


def trimmed_duration(video: dict[str, Any]) -> int:
    """Seconds of match left after the start/end offsets are applied."""
    full = video["fetch"].get("duration") or video.get("source_duration") or DEFAULT_MATCH_SECONDS
    start = video.get("start_offset_seconds") or 0
    end = video.get("end_offset_seconds")
    end = full if end is None else min(end, full)
    return max(0, int(end - start))
