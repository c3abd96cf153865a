"""Fault knobs: make the sandbox slow, failing, hanging or rude on purpose (kept in memory only)."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

# Laravel's default bodies, which the provider's /api/v1 style suggests.
STATUS_MESSAGES = {
    400: "Bad Request.",
    401: "Unauthenticated.",
    403: "This action is unauthorized.",
    404: "Not Found.",
    422: "The given data was invalid.",
    429: "Too Many Attempts.",
    500: "Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Faults:
    latency_ms: int = 0  # added before every API answer
    error_rate: float = 0.0  # share of API requests answered with error_status (0..1)
    error_status: int = 500
    reject_all_tokens: bool = False  # every token gets 401, as if the provider revoked them all
    timeout: bool = False  # hold the request for hang_seconds before answering
    hang_seconds: float = 30.0
    malformed_json: bool = False  # answer 200 with a truncated JSON body
    drop_connection: bool = False  # close the socket without any answer
    duplicate_webhooks: bool = False  # deliver every webhook twice (the docs say to expect duplicates)
    remaining: int | None = None  # affect only the next N API requests, then clear
    pass_first: int = 0  # let the first N matching API requests through untouched (fail mid-way)
    methods: list[str] | None = None  # limit to these HTTP methods (e.g. ["GET"])
    path_contains: str | None = None  # limit to API paths containing this text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_faults(data: dict[str, Any], current: Faults | None = None) -> Faults:
    """Merge a JSON object of knobs into the current faults; raise ValueError on a bad knob."""
    values = (current or Faults()).as_dict()
    names = {field.name: field for field in fields(Faults)}
    for key, value in data.items():
        if key not in names:
            raise ValueError(f"Unknown fault knob {key!r}; known: {', '.join(sorted(names))}.")
        values[key] = value
    faults = Faults(**values)
    if not 0 <= float(faults.error_rate) <= 1:
        raise ValueError("error_rate must be between 0 and 1.")
    if not 400 <= int(faults.error_status) <= 599:
        raise ValueError("error_status must be an HTTP error status (400-599).")
    if int(faults.latency_ms) < 0 or float(faults.hang_seconds) < 0:
        raise ValueError("latency_ms and hang_seconds cannot be negative.")
    if isinstance(faults.pass_first, bool) or not isinstance(faults.pass_first, int) or faults.pass_first < 0:
        raise ValueError("pass_first must be a whole number of at least 0.")
    if faults.remaining is not None and int(faults.remaining) < 1:
        raise ValueError("remaining must be at least 1 (or null for no limit).")
    return faults


@dataclass(frozen=True)
class Decision:
    latency: float = 0.0
    error_status: int | None = None
    reject_token: bool = False
    hang: float = 0.0
    malformed_json: bool = False
    drop_connection: bool = False


class FaultBox:
    """Holds the current faults and decides, per request, which of them fire."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.faults = Faults()
        # Seeded, so an error_rate run fails the same requests every time.
        self.random = random.Random(0)
        # Set on reset, so requests held by the timeout knob let go at once.
        self.released = threading.Event()

    def set(self, data: dict[str, Any]) -> Faults:
        with self.lock:
            self.faults = parse_faults(data, self.faults)
            self.random = random.Random(0)
            self.released = threading.Event()
            return self.faults

    def reset(self) -> Faults:
        with self.lock:
            self.released.set()
            self.faults = Faults()
            self.released = threading.Event()
            return self.faults

    def decide(self, method: str, path: str) -> Decision:
        with self.lock:
            faults = self.faults
            if faults.methods and method.upper() not in {item.upper() for item in faults.methods}:
                return Decision()
            if faults.path_contains and faults.path_contains not in path:
                return Decision()
            if faults.pass_first > 0:
                faults.pass_first -= 1
                return Decision()
            error = faults.error_rate > 0 and self.random.random() < faults.error_rate
            decision = Decision(
                latency=faults.latency_ms / 1000,
                error_status=int(faults.error_status) if error else None,
                reject_token=faults.reject_all_tokens,
                hang=float(faults.hang_seconds) if faults.timeout else 0.0,
                malformed_json=faults.malformed_json,
                drop_connection=faults.drop_connection,
            )
            if decision != Decision() and faults.remaining is not None:
                faults.remaining -= 1
                if faults.remaining <= 0:
                    self.faults = Faults()
            return decision

    def wait(self, seconds: float) -> None:
        """Sleep, but wake early when the faults are reset."""
        with self.lock:
            released = self.released
        released.wait(seconds)
