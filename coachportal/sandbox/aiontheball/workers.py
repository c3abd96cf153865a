"""Background work of the sandbox: fetching localhost video URLs and delivering webhooks."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from . import media
from .faults import FaultBox
from .store import Store

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
MAX_DOWNLOAD_BYTES = 4 << 30
WEBHOOK_USER_AGENT = "AI-on-the-ball"
# Keywords in a non-local URL that choose the video's fate (the sandbox never fetches such URLs).
UNREACHABLE_MARK = "unreachable"
NO_MATCH_MARKS = ("no-match", "no_match")
ANALYSIS_ERROR_MARKS = ("analysis-error", "analysis_error")


def is_local(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() in LOCAL_HOSTS


def outcome_for(url: str) -> str:
    lowered = url.lower()
    if any(mark in lowered for mark in NO_MATCH_MARKS):
        return "no_match"
    if any(mark in lowered for mark in ANALYSIS_ERROR_MARKS):
        return "analysis_error"
    return "ok"


def start_fetch(store: Store, video_id: int, url: str) -> None:
    """Settle a new video's download: really fetch localhost URLs, pretend for the rest."""
    if not is_local(url):
        failed = UNREACHABLE_MARK in url.lower()
        store.set_fetch(
            video_id,
            state="failed" if failed else "ok",
            at=time.time(),
            error="The video file URL could not be downloaded." if failed else None,
        )
        return
    threading.Thread(target=_fetch_local, args=(store, video_id, url), daemon=True).start()


def _fetch_local(store: Store, video_id: int, url: str) -> None:
    relative = Path("media") / f"video-{video_id}.mp4"
    target = store.data_dir / relative
    try:
        with requests.get(url, stream=True, timeout=(3, 30)) as response:
            if response.status_code >= 400:
                raise OSError(f"HTTP {response.status_code} from the video file URL.")
            written = 0
            with target.open("wb") as handle:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    written += len(chunk)
                    if written > MAX_DOWNLOAD_BYTES:
                        raise OSError("The video file is too large.")
                    handle.write(chunk)
        duration = media.probe_duration(target)
        if duration is None:
            raise OSError("The downloaded file is not a readable video.")
    except (OSError, requests.RequestException) as exc:
        with contextlib.suppress(OSError):
            target.unlink()
        store.set_fetch(video_id, state="failed", at=time.time(), error=str(exc))
        return
    store.set_fetch(video_id, state="ok", at=time.time(), path=str(relative), duration=int(duration))


def resume_fetches(store: Store) -> None:
    """Restart downloads that a previous run left unfinished."""
    for video in store.all_videos():
        if video["fetch"]["state"] == "pending":
            start_fetch(store, video["id"], video["video_file_url"])


class WebhookSender:
    """Watch analyses and POST the documented notifications to each key-holder's webhook URL."""

    def __init__(self, store: Store, faults: FaultBox) -> None:
        self.store = store
        self.faults = faults
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=500)
        self.stop = threading.Event()
        self.interval = max(0.02, min(0.25, store.step / 4))

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True, name="aiontheball-webhooks").start()

    def _run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # keep the loop alive; one bad delivery must not stop the rest
                log.exception("Webhook tick failed")

    def tick(self) -> None:
        holders = {holder["id"]: holder for holder in self.store.keyholders()}
        for analysis in self.store.all_analyses():
            holder = holders.get(analysis["owner"])
            if not holder or not holder.get("webhook_url"):
                continue
            state = self.store.analysis_state(analysis)
            notified = analysis.get("notified") or {}
            if notified.get("status") in ("done", "error"):
                continue
            if state.status in ("done", "error"):
                payload = {
                    "event": "analysis_done",
                    "analysis_id": str(analysis["id"]),
                    "status": state.status,
                    "completion_rate": 100 if state.status == "done" else state.progress,
                }
            elif state.status in ("running", "aggregating") and (
                notified.get("status") != state.status
                or (state.progress - (notified.get("progress") or 0)) >= 10
            ):
                payload = {
                    "event": "analysis_completion_rate",
                    "analysis_id": str(analysis["id"]),
                    "status": state.status,
                    "completion_rate": state.progress,
                }
            else:
                continue
            self.store.mark_notified(analysis["id"], state.status, state.progress)
            copies = 2 if self.faults.faults.duplicate_webhooks else 1
            for _ in range(copies):
                self.deliver(holder["webhook_url"], payload)

    def deliver(self, url: str, payload: dict[str, Any]) -> None:
        record: dict[str, Any] = {"url": url, "payload": payload, "at": time.time()}
        try:
            response = requests.post(
                url,
                data=json.dumps(payload),
                headers={"Content-Type": "application/json", "User-Agent": WEBHOOK_USER_AGENT},
                timeout=5,
            )
            record["status_code"] = response.status_code
        except requests.RequestException as exc:
            record["error"] = str(exc)
        self.deliveries.append(record)
