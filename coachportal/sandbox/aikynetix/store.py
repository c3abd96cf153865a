"""SQLite persistence of the sandbox: key-holders, their users and sessions, in the data dir."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import metrics

SCHEMA = """
CREATE TABLE IF NOT EXISTS key_holders (
    api_key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    is_admin INTEGER NOT NULL,
    valid_plan INTEGER NOT NULL,
    owner_user_id TEXT NOT NULL,
    owner_user_name TEXT NOT NULL,
    processing_seconds REAL,
    auto_analyzed_video INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS users (
    api_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    PRIMARY KEY (api_key, user_id)
);
CREATE INDEX IF NOT EXISTS users_by_key ON users (api_key);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    api_key TEXT NOT NULL,
    activity TEXT NOT NULL,
    title TEXT NOT NULL,
    user_id TEXT NOT NULL,
    user_name TEXT NOT NULL,
    user_status TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    uploaded_at REAL NOT NULL,
    fields TEXT NOT NULL,
    video_file TEXT,
    state TEXT NOT NULL,
    results TEXT,
    analyzed INTEGER NOT NULL DEFAULT 0
);
"""

# Columns added after the first release; _migrate adds them to an older data dir's database.
ADDED_COLUMNS = {
    "key_holders": {
        "role": "TEXT",  # admin | sub_admin | user; NULL: admin or user from is_admin
        "plan": "TEXT",
        "activities": "TEXT",  # JSON list
        "user_quota": "INTEGER",  # NULL: the server's --user-quota (unlimited by default)
    },
    "users": {
        "email": "TEXT",
        "phone": "TEXT",
        "created_at": "TEXT",  # ISO, aware UTC
        "attributes": "TEXT",  # JSON: height, weight, leg_length, ycom, gender, age, shoeSize, ...
    },
}

PROCESSING, COMPLETED, FAILED = "processing", "completed", "failed"
DEFAULT_ACTIVITIES = ("Running", "Weightlifting", "VerticalJump")  # organization-status spelling


@dataclass
class KeyHolder:
    api_key: str
    name: str
    is_admin: bool
    valid_plan: bool
    owner_user_id: str
    owner_user_name: str
    processing_seconds: float | None = None
    auto_analyzed_video: bool = True
    role: str | None = None  # None: "admin" when is_admin, else a plain user
    plan: str | None = None  # organization-status payment_type; None: Enterprise (Basic without a plan)
    activities: list[str] | None = None  # None: DEFAULT_ACTIVITIES
    user_quota: int | None = None  # clients this admin may create; None: the server default

    @property
    def effective_role(self) -> str:
        return self.role or ("admin" if self.is_admin else "user")


@dataclass
class ClientRow:
    """A client (user) of a key-holder's admin, as the user-management endpoints show it."""

    api_key: str
    user_id: str
    user_name: str  # display_name
    email: str | None
    phone: str | None
    created_at: datetime
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionRow:
    id: str
    api_key: str
    activity: str
    title: str
    user_id: str
    user_name: str
    user_status: str
    uploaded_by: str
    created_at: datetime  # aware UTC; orders the lists
    uploaded_at: float  # epoch seconds; the processing clock (created_at can be edited)
    fields: dict[str, Any]
    video_file: str | None
    state: str
    results: dict[str, Any] = field(default_factory=dict)
    analyzed: bool = False


class Store:
    """Thread-safe access to the SQLite file; one connection behind one lock is plenty for a sandbox."""

    def __init__(self, data_dir: Path, *, processing_seconds: float, user_quota: int | None = None):
        self.data_dir = data_dir
        self.processing_seconds = processing_seconds
        self.default_user_quota = user_quota
        self.media_dir = data_dir / "media"
        self.tmp_dir = data_dir / "tmp"
        for directory in (self.media_dir, self.tmp_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            data_dir / "aikynetix.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._migrate()
        # Newest-first pages by cursor (also for data dirs made before the index existed).
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS sessions_by_key_time ON sessions (api_key, created_at, id)"
        )

    def _migrate(self) -> None:
        for table, columns in ADDED_COLUMNS.items():
            present = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in present:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    # Key-holders and users ---------------------------------------------------------------------------

    def add_key_holder(self, holder: KeyHolder) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO key_holders (api_key, name, is_admin, valid_plan, owner_user_id,"
                " owner_user_name, processing_seconds, auto_analyzed_video, role, plan, activities,"
                " user_quota) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    holder.api_key,
                    holder.name,
                    int(holder.is_admin),
                    int(holder.valid_plan),
                    holder.owner_user_id,
                    holder.owner_user_name,
                    holder.processing_seconds,
                    int(holder.auto_analyzed_video),
                    holder.role,
                    holder.plan,
                    json.dumps(holder.activities) if holder.activities is not None else None,
                    holder.user_quota,
                ),
            )

    def set_user_quota(self, api_key: str, quota: int | None) -> None:
        with self._lock:
            self._db.execute("UPDATE key_holders SET user_quota = ? WHERE api_key = ?", (quota, api_key))

    def user_quota(self, holder: KeyHolder) -> int | None:
        return holder.user_quota if holder.user_quota is not None else self.default_user_quota

    def key_holder(self, api_key: str) -> KeyHolder | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM key_holders WHERE api_key = ?", (api_key,)).fetchone()
        if row is None:
            return None
        return KeyHolder(
            api_key=row["api_key"],
            name=row["name"],
            is_admin=bool(row["is_admin"]),
            valid_plan=bool(row["valid_plan"]),
            owner_user_id=row["owner_user_id"],
            owner_user_name=row["owner_user_name"],
            processing_seconds=row["processing_seconds"],
            auto_analyzed_video=bool(row["auto_analyzed_video"]),
            role=row["role"],
            plan=row["plan"],
            activities=json.loads(row["activities"]) if row["activities"] else None,
            user_quota=row["user_quota"],
        )

    def add_user(
        self,
        api_key: str,
        user_id: str,
        user_name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        attributes: dict[str, Any] | None = None,
        created_at: datetime | None = None,
    ) -> None:
        """Add a client, or rename one; details not given keep their stored values."""
        created = (created_at or datetime.now(UTC)).astimezone(UTC).isoformat()
        with self._lock:
            self._db.execute(
                "INSERT INTO users (api_key, user_id, user_name, email, phone, created_at, attributes)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (api_key, user_id) DO UPDATE SET"
                " user_name = excluded.user_name, email = COALESCE(excluded.email, users.email),"
                " phone = COALESCE(excluded.phone, users.phone),"
                " attributes = COALESCE(excluded.attributes, users.attributes),"
                " created_at = COALESCE(users.created_at, excluded.created_at)",
                (
                    api_key,
                    user_id,
                    user_name,
                    email,
                    phone,
                    created,
                    json.dumps(attributes) if attributes is not None else None,
                ),
            )

    def clients(self, api_key: str) -> list[ClientRow]:
        """The key-holder's clients, newest first (ties by uid), as the filter endpoint pages them."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM users WHERE api_key = ?", (api_key,)).fetchall()
        result = [self._client(row) for row in rows]
        result.sort(key=lambda c: (c.created_at, c.user_id), reverse=True)
        return result

    def client(self, api_key: str, user_id: str) -> ClientRow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM users WHERE api_key = ? AND user_id = ?", (api_key, user_id)
            ).fetchone()
        return self._client(row) if row else None

    def client_by_email(self, email: str) -> ClientRow | None:
        """Any key-holder's client with this email (case-insensitive): emails are account-wide unique."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM users WHERE email IS NOT NULL AND lower(email) = lower(?)", (email,)
            ).fetchone()
        return self._client(row) if row else None

    def count_clients(self, api_key: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM users WHERE api_key = ?", (api_key,)).fetchone()[0]

    def update_client(self, client: ClientRow) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE users SET user_name = ?, email = ?, phone = ?, attributes = ?"
                " WHERE api_key = ? AND user_id = ?",
                (
                    client.user_name,
                    client.email,
                    client.phone,
                    json.dumps(client.attributes),
                    client.api_key,
                    client.user_id,
                ),
            )

    def delete_client(self, api_key: str, user_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM users WHERE api_key = ? AND user_id = ?", (api_key, user_id))

    @staticmethod
    def _client(row: sqlite3.Row) -> ClientRow:
        created = row["created_at"]
        return ClientRow(
            api_key=row["api_key"],
            user_id=row["user_id"],
            user_name=row["user_name"],
            email=row["email"],
            phone=row["phone"],
            created_at=datetime.fromisoformat(created).astimezone(UTC)
            if created
            else datetime(2025, 1, 1, tzinfo=UTC),
            attributes=json.loads(row["attributes"]) if row["attributes"] else {},
        )

    def user_name(self, api_key: str, user_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT user_name FROM users WHERE api_key = ? AND user_id = ?", (api_key, user_id)
            ).fetchone()
        return row["user_name"] if row else None

    def users(self, api_key: str) -> list[dict[str, str]]:
        with self._lock:
            rows = self._db.execute("SELECT user_id, user_name FROM users WHERE api_key = ?", (api_key,))
            return [dict(row) for row in rows]

    # Sessions ----------------------------------------------------------------------------------------

    def session_dir(self, session_id: str) -> Path:
        return self.media_dir / session_id

    def add_session(self, row: SessionRow) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id,
                    row.api_key,
                    row.activity,
                    row.title,
                    row.user_id,
                    row.user_name,
                    row.user_status,
                    row.uploaded_by,
                    row.created_at.isoformat(),
                    row.uploaded_at,
                    json.dumps(row.fields),
                    row.video_file,
                    row.state,
                    json.dumps(row.results) if row.results else None,
                    int(row.analyzed),
                ),
            )

    def session(self, session_id: str, api_key: str | None = None) -> SessionRow | None:
        """One session, refreshed; with `api_key`, only if that key-holder owns it."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None or (api_key is not None and row["api_key"] != api_key):
                return None
            return self._refresh(self._row(row))

    def sessions(self, api_key: str) -> list[SessionRow]:
        """The key-holder's sessions, refreshed, newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sessions WHERE api_key = ?", (api_key,)).fetchall()
            result = [self._refresh(self._row(row)) for row in rows]
        result.sort(key=lambda s: (s.created_at, s.id), reverse=True)
        return result

    def sessions_after(
        self, api_key: str, after_id: str | None, limit: int
    ) -> tuple[int, list[SessionRow]] | None:
        """One page of the key-holder's sessions, newest first, after the session `after_id`.

        Return (total count, page), or None when `after_id` is not one of theirs. Reads only the page, so
        walking a large account's cursors stays linear (the unfiltered filter endpoint's path).
        """
        with self._lock:
            total = self._db.execute(
                "SELECT COUNT(*) FROM sessions WHERE api_key = ?", (api_key,)
            ).fetchone()[0]
            if after_id:
                cursor = self._db.execute(
                    "SELECT created_at, id FROM sessions WHERE id = ? AND api_key = ?", (after_id, api_key)
                ).fetchone()
                if cursor is None:
                    return None
                rows = self._db.execute(
                    "SELECT * FROM sessions WHERE api_key = ? AND (created_at, id) < (?, ?)"
                    " ORDER BY created_at DESC, id DESC LIMIT ?",
                    (api_key, cursor["created_at"], cursor["id"], limit),
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT * FROM sessions WHERE api_key = ? ORDER BY created_at DESC, id DESC LIMIT ?",
                    (api_key, limit),
                ).fetchall()
            return total, [self._refresh(self._row(row)) for row in rows]

    def update_session(self, session_id: str, **changes: Any) -> None:
        encoded = {
            key: (
                value.isoformat()
                if isinstance(value, datetime)
                else json.dumps(value)
                if key in {"results", "fields"}
                else value
            )
            for key, value in changes.items()
        }
        assignments = ", ".join(f"{key} = ?" for key in encoded)
        with self._lock:
            sql = f"UPDATE sessions SET {assignments} WHERE id = ?"  # noqa: S608 -- column names are ours
            self._db.execute(sql, [*encoded.values(), session_id])

    def delete_session(self, session_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        shutil.rmtree(self.session_dir(session_id), ignore_errors=True)

    def complete_due(self) -> list[SessionRow]:
        """Finish processing of every session whose time is up; return those newly completed."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sessions WHERE state = ?", (PROCESSING,)).fetchall()
            refreshed = [self._refresh(self._row(row)) for row in rows]
        return [row for row in refreshed if row.state == COMPLETED]

    def complete_now(self, session_id: str) -> SessionRow | None:
        with self._lock:
            row = self.session(session_id)
            if row is not None and row.state == PROCESSING:
                self.update_session(session_id, uploaded_at=0.0)
                row = self.session(session_id)
            return row

    def count_sessions(self, api_key: str | None = None) -> int:
        with self._lock:
            if api_key is None:
                return self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
            return self._db.execute("SELECT COUNT(*) FROM sessions WHERE api_key = ?", (api_key,)).fetchone()[
                0
            ]

    def wipe(self) -> None:
        with self._lock:
            for table in ("sessions", "users", "key_holders"):
                self._db.execute(f"DELETE FROM {table}")  # noqa: S608 -- fixed names
        shutil.rmtree(self.media_dir, ignore_errors=True)
        self.media_dir.mkdir(parents=True, exist_ok=True)

    def _refresh(self, row: SessionRow) -> SessionRow:
        """Move a session out of processing once its time is up: metrics appear, deterministically."""
        if row.state != PROCESSING:
            return row
        holder = self.key_holder(row.api_key)
        seconds = self.processing_seconds
        if holder is not None and holder.processing_seconds is not None:
            seconds = holder.processing_seconds
        if time.time() < row.uploaded_at + seconds:
            return row
        row.state = COMPLETED
        row.results = metrics.generate(row.id, row.activity, row.fields)
        row.analyzed = holder.auto_analyzed_video if holder is not None else True
        self.update_session(row.id, state=row.state, results=row.results, analyzed=int(row.analyzed))
        return row

    @staticmethod
    def _row(row: sqlite3.Row) -> SessionRow:
        return SessionRow(
            id=row["id"],
            api_key=row["api_key"],
            activity=row["activity"],
            title=row["title"],
            user_id=row["user_id"],
            user_name=row["user_name"],
            user_status=row["user_status"],
            uploaded_by=row["uploaded_by"],
            created_at=datetime.fromisoformat(row["created_at"]).astimezone(UTC),
            uploaded_at=row["uploaded_at"],
            fields=json.loads(row["fields"]),
            video_file=row["video_file"],
            state=row["state"],
            results=json.loads(row["results"]) if row["results"] else {},
            analyzed=bool(row["analyzed"]),
        )
