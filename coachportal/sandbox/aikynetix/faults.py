"""Fault knobs: latency, 500s, rejected keys, hangs, malformed JSON and dropped connections."""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Faults:
    """What to break; applies to API requests only (never to /__sandbox__/ or /media/)."""

    latency_ms: int = 0  # added before every answer
    error_rate: float = 0.0  # share of requests answered 500 (0..1), before any side effect
    reject_keys: bool = False  # every key gets 401
    hang_seconds: float = 0.0  # sleep after handling, before answering (longer than a client timeout)
    malformed_json: bool = False  # handle, then answer 200 with a body that is not JSON
    drop_connection: bool = False  # handle, then close the socket half-way through the answer
    drop_after_upload: bool = False  # uploads: create the session, then close without any answer
    drop_after_write: bool = False  # any non-GET request: act on it, then close without any answer
    match: str = ""  # only requests whose path contains this
    methods: list[str] = field(default_factory=list)  # only these methods (empty: all)
    times: int | None = None  # fault this many matching requests, then reset (None: until reset)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault knobs: {', '.join(sorted(unknown))}")
        faults = cls(**data)
        faults.methods = [m.upper() for m in faults.methods]
        if not 0 <= faults.error_rate <= 1:
            raise ValueError("error_rate must be between 0 and 1")
        return faults

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def active(self) -> bool:
        return self != Faults(match=self.match, methods=self.methods, times=self.times)


class FaultSwitch:
    """The current knobs, shared by the request threads."""

    def __init__(self, initial: Faults | None = None, *, seed: int = 0):
        self._faults = initial or Faults()
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def get(self) -> Faults:
        with self._lock:
            return dataclasses.replace(self._faults)

    def set(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults

    def take(self, method: str, path: str) -> tuple[Faults, bool]:
        """Return the knobs for this request (defaults if it does not match) and whether to answer 500."""
        with self._lock:
            faults = self._faults
            if (
                not faults.active()
                or faults.match not in path
                or (faults.methods and method not in faults.methods)
            ):
                return Faults(), False
            if faults.times is not None:
                faults.times -= 1
                if faults.times <= 0:
                    self._faults = Faults()
            return dataclasses.replace(faults), self._random.random() < faults.error_rate
