"""The sandbox's WSGI app: the AiKYNETIX contract, media files and the /__sandbox__/ control API."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from . import demo, video
from . import users as users_module
from .faults import Faults, FaultSwitch
from .store import COMPLETED, FAILED, PROCESSING, KeyHolder, SessionRow, Store
from .users import USER_RULES, UserManagement
from .wire import ApiError, json_response
from .wire import json_body as _json_body

log = logging.getLogger(__name__)

# Unconfirmed names (DESIGN 9): kept equal to the client's constants by a test, not by an import, so the
# sandbox stays a stand-alone emulator of the provider.
FETCH_BY_IDS_PATH = "/session-management/sessions/by-ids/"
UPLOADER_FILTER_PARAM = "uploaded_by"
PROCESSING_STATE_FILTER_PARAM = "processing_state"

ACTIVITIES = {"running": "Running", "jumping": "Vertical Jump", "weightlifting": "Weightlifting"}
JUMP_EXERCISES = ("Countermovement Jump", "Drop Jump")
WEIGHTLIFTING_EXERCISES = ("snatch", "clean", "clean_and_jerk")
PROCESSING_STATES = (PROCESSING, COMPLETED, FAILED)
NOT_ADMIN = "You must be an admin to access this data."
NO_PLAN = "User does not have a valid payment plan"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FILTER_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_UPDATE_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


class SandboxRequest(Request):
    """Spools uploaded files into the data dir so a large video is written once and never held in memory."""

    max_form_memory_size = 1024 * 1024
    upload_dir: Path = Path(tempfile.gettempdir())

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        handle = tempfile.NamedTemporaryFile(dir=self.upload_dir, prefix="upload-", delete=False)  # noqa: SIM115
        self.__dict__.setdefault("spooled", []).append(Path(handle.name))
        return handle


class SandboxApp(UserManagement):
    """A WSGI callable; one instance per server process."""

    def __init__(
        self,
        data_dir: Path,
        *,
        processing_seconds: float = 10.0,
        faults: Faults | None = None,
        user_quota: int | None = None,
        render_ahead: bool = True,
    ):
        self.data_dir = Path(data_dir)
        # Render an analysed video as soon as it can be asked for (a demo's first click plays at once);
        # without, on its first download: the same answers, with no CPU spent on videos nobody fetches.
        self.render_ahead = render_ahead
        self.store = Store(self.data_dir, processing_seconds=processing_seconds, user_quota=user_quota)
        self.faults = FaultSwitch(faults)
        self.secret = hashlib.sha256(str(self.data_dir.resolve()).encode()).digest()
        self.request_class = type("BoundRequest", (SandboxRequest,), {"upload_dir": self.store.tmp_dir})
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self._render_locks: dict[str, threading.Lock] = {}
        self._render_locks_guard = threading.Lock()
        self._stop = threading.Event()
        self.url_map = Map(self._rules(), strict_slashes=False, merge_slashes=False)

    # Background work -------------------------------------------------------------------------------------

    def start_background(self, interval: float = 0.25) -> None:
        """Finish processing on time even when nobody asks, and render analysed videos right away."""

        def tick() -> None:
            while not self._stop.wait(interval):
                try:
                    for row in self.store.complete_due():
                        if row.analyzed:
                            self._render_soon(row)
                except Exception:  # a sandbox tick must never die
                    log.exception("processing tick failed")

        threading.Thread(target=tick, name="processing", daemon=True).start()

    def _render_soon(self, row: SessionRow) -> None:
        if self.render_ahead:
            self._renderer.submit(self.analyzed_path, row)

    def stop(self) -> None:
        self._stop.set()
        self._renderer.shutdown(wait=False, cancel_futures=True)

    def analyzed_path(self, row: SessionRow) -> Path:
        """Path of the analysed MP4, rendering it first if needed (once, whichever thread asks first)."""
        target = self.store.session_dir(row.id) / "analyzed_video.mp4"
        with self._lock_for(row.id):
            if not target.exists():
                source = self.store.session_dir(row.id) / row.video_file if row.video_file else None
                video.render_analyzed(source, target, activity=row.activity, seed=_seed(row.id))
        return target

    def original_path(self, row: SessionRow) -> Path:
        if row.video_file:
            return self.store.session_dir(row.id) / row.video_file
        target = self.store.session_dir(row.id) / "original.mp4"  # demo sessions have no upload
        with self._lock_for(row.id):
            if not target.exists():
                video.render_placeholder(target, activity=row.activity, seed=_seed(row.id))
        return target

    def _lock_for(self, session_id: str) -> threading.Lock:
        with self._render_locks_guard:
            return self._render_locks.setdefault(session_id, threading.Lock())

    def seed_demo(self) -> None:
        demo.seed(self.store)
        for spec in demo.DEMO_SESSIONS:
            row = self.store.session(spec.session_id)
            if row is not None:
                self._render_soon(row)

    # WSGI ------------------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = self.request_class(environ)
        try:
            response = self.dispatch(request)
        finally:
            for path in request.__dict__.get("spooled", []):
                path.unlink(missing_ok=True)  # uploads not moved into place
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response | Callable:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
        except NotFound:
            return self._drained(request, json_response({"error": "Not found"}, 404))
        except MethodNotAllowed:
            return self._drained(request, json_response({"error": "Method not allowed"}, 405))
        except HTTPException as exc:
            return json_response({"error": exc.description}, exc.code or 400)
        if endpoint.startswith("control_") or endpoint == "media":
            try:
                return getattr(self, endpoint)(request, **args)
            except ApiError as exc:
                return json_response({"error": exc.message}, exc.status)
        return self._api(request, endpoint, args)

    def _api(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response | Callable:
        faults, fail = self.faults.take(request.method, request.path)
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if fail:
            return self._drained(
                request, json_response({"error": "An unexpected error occurred: sandbox fault"}, 500)
            )
        try:
            holder = self._authenticate(request, reject_all=faults.reject_keys)
            response = getattr(self, endpoint)(request, holder, **args)
        except ApiError as exc:
            response = self._drained(request, json_response({"error": exc.message}, exc.status))
        except Exception as exc:
            log.exception("sandbox handler failed")
            response = json_response({"error": f"An unexpected error occurred: {exc}"}, 500)
        if faults.hang_seconds:
            time.sleep(faults.hang_seconds)
        if faults.drop_after_upload and endpoint.startswith("upload"):
            return _dropped(b"")
        if faults.drop_after_write and request.method != "GET":
            return _dropped(b"")
        if faults.malformed_json:
            return Response(b'{"sessions": {"unterminated', status=200, mimetype="application/json")
        if faults.drop_connection:
            body = response.get_data()
            return _dropped(body[: max(1, len(body) // 2)], declared_length=len(body) + 1)
        return response

    @staticmethod
    def _drained(request: Request, response: Response) -> Response:
        """Read an unread request body before answering, so the client hears the answer, not a reset."""
        if request.method in {"POST", "PUT", "PATCH"} and "spooled" not in request.__dict__:
            stream = request.stream
            while stream.read(1024 * 1024):
                pass
        return response

    def _authenticate(self, request: Request, *, reject_all: bool) -> KeyHolder:
        """Accept `API-KEY: <key>` or `Authorization: API-KEY <key>` (DESIGN 9); anything else is 401."""
        candidates = set()
        if request.headers.get("API-KEY", "").strip():
            candidates.add(request.headers["API-KEY"].strip())
        scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.upper() == "API-KEY" and value.strip():
            candidates.add(value.strip())
        if not candidates:
            raise ApiError(401, "No token provided.")
        if len(candidates) > 1:
            raise ApiError(401, "Conflicting API keys in the API-KEY and Authorization headers.")
        holder = None if reject_all else self.store.key_holder(candidates.pop())
        if holder is None:
            raise ApiError(401, "Invalid API key.")
        return holder

    def _rules(self) -> list[Rule]:
        activity = "<any(running, jumping, weightlifting):activity>"
        session = "/session-management/sessions/<session_id>"
        return [
            Rule(f"/{activity}/sessions/", methods=["POST"], endpoint="upload_self"),
            Rule(f"/{activity}/management/sessions/", methods=["POST"], endpoint="upload_management"),
            Rule("/session-management/sessions/", methods=["GET"], endpoint="list_sessions"),
            Rule("/session-management/sessions/filter/", methods=["GET"], endpoint="filter_sessions"),
            Rule(FETCH_BY_IDS_PATH, methods=["POST"], endpoint="fetch_sessions"),
            # The spec has no trailing slash on update/delete, an older page has one: answer both.
            Rule(session, methods=["PUT"], endpoint="update_session"),
            Rule(session + "/", methods=["PUT"], endpoint="update_session"),
            Rule(session, methods=["DELETE"], endpoint="delete_session"),
            Rule(session + "/", methods=["DELETE"], endpoint="delete_session"),
            Rule(session + "/analyzed-video/", methods=["GET"], endpoint="get_analyzed_video"),
            Rule(session + "/analyzed-video/", methods=["POST"], endpoint="generate_analyzed_video"),
            *USER_RULES,
            Rule("/media/<session_id>/<name>", methods=["GET", "HEAD"], endpoint="media"),
            Rule("/__sandbox__/health", methods=["GET"], endpoint="control_health"),
            Rule("/__sandbox__/key-holders", methods=["POST"], endpoint="control_add_key_holder"),
            Rule("/__sandbox__/key-holders/<api_key>/users", methods=["POST"], endpoint="control_add_user"),
            Rule("/__sandbox__/key-holders/<api_key>/users", methods=["GET"], endpoint="control_users"),
            Rule("/__sandbox__/key-holders/<api_key>/user-quota", methods=["PUT"],
                 endpoint="control_user_quota"),
            Rule("/__sandbox__/faults", methods=["GET", "PUT", "DELETE"], endpoint="control_faults"),
            Rule("/__sandbox__/sessions/<session_id>/<any(complete, fail):action>", methods=["POST"],
                 endpoint="control_session"),
            Rule("/__sandbox__/reset", methods=["POST"], endpoint="control_reset"),
            Rule("/__sandbox__/demo", methods=["POST"], endpoint="control_demo"),
        ]  # fmt: skip

    # Uploads ---------------------------------------------------------------------------------------------

    def upload_self(self, request: Request, holder: KeyHolder, activity: str) -> Response:
        return self._upload(request, holder, activity, management=False)

    def upload_management(self, request: Request, holder: KeyHolder, activity: str) -> Response:
        if not holder.is_admin:
            raise ApiError(403, NOT_ADMIN)
        return self._upload(request, holder, activity, management=True)

    def _upload(self, request: Request, holder: KeyHolder, activity: str, *, management: bool) -> Response:
        if request.mimetype != "multipart/form-data":
            raise ApiError(400, "Content-Type must be multipart/form-data.")
        form, files = request.form, request.files
        upload = files.get("video")
        spooled = Path(upload.stream.name) if upload is not None and hasattr(upload.stream, "name") else None
        if upload is None or not upload.filename or spooled is None or spooled.stat().st_size == 0:
            raise ApiError(400, "video is required" if management else "No video file was provided")
        if management:
            user_id = form.get("user_id", "").strip()
            if not user_id:
                raise ApiError(400, "user_id is required")
            user_name = self.store.user_name(holder.api_key, user_id)
            if user_name is None:
                raise ApiError(404, f"User {user_id} not found")
        else:
            user_id, user_name = holder.owner_user_id, holder.owner_user_name
        fields = self._activity_fields(activity, form)
        label = ACTIVITIES[activity]
        now = datetime.now(UTC)
        title = form.get("session_name", "").strip() or f"{label} {now:%d/%m/%Y}"
        session_id = uuid.uuid4().hex
        suffix = Path(upload.filename).suffix.lower()
        name = "original" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".mp4")
        upload.stream.close()
        self.store.session_dir(session_id).mkdir(parents=True, exist_ok=True)
        spooled.replace(self.store.session_dir(session_id) / name)
        self.store.add_session(
            SessionRow(
                id=session_id,
                api_key=holder.api_key,
                activity=label,
                title=title,
                user_id=user_id,
                user_name=user_name,
                user_status="admin" if management else "user",
                uploaded_by=holder.owner_user_id,
                created_at=now,
                uploaded_at=time.time(),
                fields=fields,
                video_file=name,
                state=PROCESSING,
            )
        )
        return json_response({"session_id": session_id, "title": title})

    @staticmethod
    def _activity_fields(activity: str, form: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if activity in {"running", "jumping"}:
            incline = form.get("incline_degree", "").strip()
            if incline:
                if not _NUMBER.match(incline):
                    raise ApiError(400, "incline_degree must be a number")
                fields["incline_degree"] = incline
        if activity == "jumping":
            exercise = form.get("exercise", "").strip()
            if exercise not in JUMP_EXERCISES:
                raise ApiError(400, f"exercise is required and must be one of: {', '.join(JUMP_EXERCISES)}")
            fields["exercise"] = exercise
        if activity == "weightlifting":
            exercise = form.get("exercise_name", "").strip()
            if exercise not in WEIGHTLIFTING_EXERCISES:
                choices = ", ".join(WEIGHTLIFTING_EXERCISES)
                raise ApiError(400, f"exercise_name is required and must be one of: {choices}")
            mass = form.get("barbell_mass", "").strip() or "100"
            if not _NUMBER.match(mass) or float(mass) <= 0:
                raise ApiError(400, "barbell_mass must be a positive number")
            fields.update(exercise=exercise, barbell_mass=mass)
        return fields

    # Session management ----------------------------------------------------------------------------------

    def list_sessions(self, request: Request, holder: KeyHolder) -> Response:
        _require_admin(holder)
        rows = self.store.sessions(holder.api_key)
        if not rows:
            raise ApiError(404, "No sessions found for this user.")
        return json_response({"sessions": {row.id: self._doc(request, row) for row in rows}})

    def fetch_sessions(self, request: Request, holder: KeyHolder) -> Response:
        _require_admin(holder)
        body = _json_body(request)
        ids = body.get("session_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise ApiError(400, "session_ids must be a non-empty list of session ids")
        rows = [self.store.session(i, holder.api_key) for i in dict.fromkeys(ids)]
        return json_response({"sessions": {row.id: self._doc(request, row) for row in rows if row}})

    def _newest_page(self, request: Request, holder: KeyHolder, after: str | None, limit: int) -> Response:
        """The unfiltered walk by `start_after_id`, read page by page from the store."""
        found = self.store.sessions_after(holder.api_key, after, limit)
        if found is None:
            raise ApiError(400, f"Invalid start_after_id: session {after} not found")
        count, page = found
        if not page:
            raise ApiError(404, "No sessions found for the given criteria.")
        return json_response(
            {
                "query_count": count,
                "sessions": {row.id: self._doc(request, row) for row in page},
                "first_doc_id": page[0].id,
                "last_doc_id": page[-1].id,
            }
        )

    def filter_sessions(self, request: Request, holder: KeyHolder) -> Response:
        _require_admin(holder)
        args = request.args
        try:
            limit = int(args.get("limit", "10"))
        except ValueError:
            raise ApiError(400, "limit must be a positive integer") from None
        if limit < 1:
            raise ApiError(400, "limit must be a positive integer")
        start, end = _filter_date(args.get("start_date")), _filter_date(args.get("end_date"))
        state = args.get(PROCESSING_STATE_FILTER_PARAM)
        if state is not None and state not in PROCESSING_STATES:
            raise ApiError(
                400, f"{PROCESSING_STATE_FILTER_PARAM} must be one of: {', '.join(PROCESSING_STATES)}"
            )
        exact = {
            "activity": args.get("activity"),
            "user_id": args.get("user_id"),
            "uploaded_by": args.get(UPLOADER_FILTER_PARAM),
            "state": state,
        }
        title = args.get("title")
        filtered = any(v is not None for v in exact.values()) or bool(title) or bool(start) or bool(end)
        if not filtered and args.get("end_before_id") is None:
            return self._newest_page(request, holder, args.get("start_after_id"), limit)
        rows = [
            row
            for row in self.store.sessions(holder.api_key)
            if all(value is None or getattr(row, key) == value for key, value in exact.items())
            and (not title or title.lower() in row.title.lower())
            and (start is None or row.created_at.date() >= start)
            and (end is None or row.created_at.date() <= end)
        ]
        count = len(rows)
        if filtered:  # the spec: cursors are "only used if no filters are set"
            page = rows[:limit]
        else:
            ids = [row.id for row in rows]
            after, before = args.get("start_after_id"), args.get("end_before_id")
            for name, cursor in (("start_after_id", after), ("end_before_id", before)):
                if cursor and cursor not in ids:
                    raise ApiError(400, f"Invalid {name}: session {cursor} not found")
            if after:
                rows = rows[ids.index(after) + 1 :]
            if before:
                rows = (
                    rows[: [row.id for row in rows].index(before)] if before in {r.id for r in rows} else []
                )
                page = rows[-limit:]  # Firestore's end_before + limit_to_last
            else:
                page = rows[:limit]
        if not page:
            raise ApiError(404, "No sessions found for the given criteria.")
        return json_response(
            {
                "query_count": count,
                "sessions": {row.id: self._doc(request, row) for row in page},
                "first_doc_id": page[0].id,
                "last_doc_id": page[-1].id,
            }
        )

    def update_session(self, request: Request, holder: KeyHolder, session_id: str) -> Response:
        if not holder.is_admin:
            raise ApiError(403, "Access denied.")
        if not holder.valid_plan:
            raise ApiError(403, NO_PLAN)
        if self.store.session(session_id, holder.api_key) is None:
            raise ApiError(404, f"Session {session_id} not found")
        body = _json_body(request)
        changes: dict[str, Any] = {}
        if "title" in body:
            if not isinstance(body["title"], str) or not body["title"].strip():
                raise ApiError(400, "title must be a non-empty string")
            changes["title"] = body["title"].strip()
        if "created_at" in body:
            value = body["created_at"]
            try:
                if not isinstance(value, str) or not _UPDATE_TIMESTAMP.match(value):
                    raise ValueError(value)
                changes["created_at"] = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                raise ApiError(400, "Invalid created_at format (expected YYYY-MM-DD HH:MM:SS).") from None
        if not changes:
            raise ApiError(400, "Nothing to update: send title and/or created_at.")
        self.store.update_session(session_id, **changes)
        return json_response({"success": f"{session_id} was successfully updated"})

    def delete_session(self, request: Request, holder: KeyHolder, session_id: str) -> Response:
        if not holder.is_admin:
            raise ApiError(403, "Forbidden: You must be an admin to delete this session")
        if self.store.session(session_id, holder.api_key) is None:
            raise ApiError(404, f"Session {session_id} not found")
        with self._lock_for(session_id):
            self.store.delete_session(session_id)
        return json_response({"success": f"{session_id} was successfully deleted"})

    # Analyzed video --------------------------------------------------------------------------------------

    def get_analyzed_video(self, request: Request, holder: KeyHolder, session_id: str) -> Response:
        flags = {name: _flag(request.args.get(name)) for name in ("is_jump", "is_weight", "download")}
        row = self._analysable(holder, session_id)
        if not row.analyzed:  # "attempts to create it if it does not exist"
            self._create_analyzed(row, flags["is_jump"], flags["is_weight"])
        return json_response(
            {"analyzed_video_url": self._analyzed_url(request, row, download=flags["download"])}
        )

    def generate_analyzed_video(self, request: Request, holder: KeyHolder, session_id: str) -> Response:
        body = _json_body(request, empty_ok=True)
        flags = {}
        for name in ("is_jump", "is_weight"):
            if not isinstance(body.get(name, False), bool):
                raise ApiError(400, f"{name} must be a boolean")
            flags[name] = body.get(name, False)
        current = self.store.session(session_id, holder.api_key)
        if current is not None and current.state == PROCESSING and holder.valid_plan:
            # Asked for while still processing, the provider analyses the session at once.
            self.store.complete_now(session_id)
        row = self._analysable(holder, session_id)
        if row.analyzed:
            raise ApiError(400, "Video already analyzed")
        self._create_analyzed(row, flags["is_jump"], flags["is_weight"])
        return json_response({"analyzed_video_url": self._analyzed_url(request, row)})

    def _analysable(self, holder: KeyHolder, session_id: str) -> SessionRow:
        row = self.store.session(session_id, holder.api_key)
        if row is None:
            raise ApiError(404, "Session data not found")
        if not holder.valid_plan:
            raise ApiError(403, NO_PLAN)
        if row.state != COMPLETED:  # still processing, or failed: nothing to analyse yet
            raise ApiError(404, "Session data not found")
        return row

    def _create_analyzed(self, row: SessionRow, is_jump: bool, is_weight: bool) -> None:
        if is_jump != (row.activity == "Vertical Jump") or is_weight != (row.activity == "Weightlifting"):
            raise ApiError(400, "Invalid parameters: is_jump/is_weight do not match the session's activity")
        self.store.update_session(row.id, analyzed=1)
        row.analyzed = True
        self._render_soon(row)

    def _analyzed_url(self, request: Request, row: SessionRow, *, download: bool = False) -> str:
        url = f"{request.host_url}media/{row.id}/analyzed_video.mp4"
        if not download:
            return url
        expires = int(time.time()) + 900
        signature = hmac.new(self.secret, f"{row.id}:{expires}".encode(), hashlib.sha256).hexdigest()
        disposition = "attachment%3B%20filename%3Danalyzed_video.mp4"
        query = f"X-Goog-Expires={expires}&X-Goog-Signature={signature}"
        return f"{url}?{query}&response-content-disposition={disposition}"

    def _doc(self, request: Request, row: SessionRow) -> dict[str, Any]:
        """The session object of the list/filter answers (reference 6.1), plus documented extras."""
        doc: dict[str, Any] = {
            "created_at": {"date": f"{row.created_at:%d/%m/%Y}", "time": f"{row.created_at:%I:%M %p}"},
            "video_url": f"{request.host_url}media/{row.id}/{row.video_file or 'original.mp4'}",
            "segments": 0,
            "analyzed_video_url": "",
            "activity": row.activity,
            "title": row.title,
            "user_id": row.user_id,
            "user_name": row.user_name,
            "report_comments": {},
            "metrics": {},
            "user_status": row.user_status,
            "processing_state": row.state,  # the live docs' unnamed processing-state field
        }
        if "exercise" in row.fields:
            doc["exercise"] = row.fields["exercise"]
        if row.state == COMPLETED:
            doc.update(row.results)
            if row.analyzed:
                doc["analyzed_video_url"] = self._analyzed_url(request, row)
        return doc

    # Media -----------------------------------------------------------------------------------------------

    def media(self, request: Request, session_id: str, name: str) -> Response:
        row = self.store.session(session_id)
        if row is None:
            raise ApiError(404, "Not found")
        if name == "analyzed_video.mp4":
            if row.state != COMPLETED or not row.analyzed:
                raise ApiError(404, "Not found")
            path = self.analyzed_path(row)
        elif name == (row.video_file or "original.mp4"):
            path = self.original_path(row)
        else:
            raise ApiError(404, "Not found")
        attachment = request.args.get("response-content-disposition", "").startswith("attachment")
        # send_file answers Range and conditional requests, so a <video> element can seek.
        return send_file(
            path, request.environ, mimetype="video/mp4" if path.suffix == ".mp4" else None,
            as_attachment=attachment, download_name=name, conditional=True, max_age=60,
        )  # fmt: skip

    # Control API (see the package docstring) -------------------------------------------------------------

    def control_health(self, request: Request) -> Response:
        return json_response({"ok": True, "sessions": self.store.count_sessions()})

    def control_add_key_holder(self, request: Request) -> Response:
        body = _json_body(request, empty_ok=True)
        api_key = body.get("key") or f"sandbox-{uuid.uuid4().hex}"
        owner = body.get("owner_user_id") or uuid.uuid4().hex[:28]
        role = body.get("role")
        if role not in (None, "admin", "sub_admin", "user"):
            raise ApiError(400, "role must be admin, sub_admin or user")
        activities = body.get("activities")
        if activities is not None and not (
            isinstance(activities, list) and all(isinstance(a, str) for a in activities)
        ):
            raise ApiError(400, "activities must be a list of strings")
        holder = KeyHolder(
            api_key=api_key,
            name=body.get("name") or "Sandbox organization",
            is_admin=bool(body.get("admin", True)) if role is None else role == "admin",
            valid_plan=bool(body.get("valid_plan", True)),
            owner_user_id=owner,
            owner_user_name=body.get("owner_user_name") or body.get("name") or "Sandbox admin",
            processing_seconds=body.get("processing_seconds"),
            auto_analyzed_video=bool(body.get("auto_analyzed_video", True)),
            role=role,
            plan=body.get("plan"),
            activities=activities,
            user_quota=_quota(body.get("user_quota")),
        )
        self.store.add_key_holder(holder)
        for user in body.get("users", []):
            self._add_control_user(api_key, user)
        return json_response(
            {
                "key": api_key,
                "name": holder.name,
                "admin": holder.is_admin,
                "valid_plan": holder.valid_plan,
                "owner_user_id": owner,
                "users": self.store.users(api_key),
            },
            201,
        )

    def control_add_user(self, request: Request, api_key: str) -> Response:
        if self.store.key_holder(api_key) is None:
            raise ApiError(404, "Unknown key-holder")
        self._add_control_user(api_key, _json_body(request))
        return json_response({"users": self.store.users(api_key)}, 201)

    def _add_control_user(self, api_key: str, user: dict[str, Any]) -> None:
        """A client from the control API: `user_id`, `user_name`, optional `email`, `phone` and the
        documented attributes (`height`, `weight`, `leg_length`, `ycom`, `gender`, `age`, `shoeSize`, ...)."""
        if not user.get("user_id") or not user.get("user_name"):
            raise ApiError(400, "user_id and user_name are required")
        attributes = {name: user[name] for name in users_module.ATTRIBUTES if name in user}
        self.store.add_user(
            api_key,
            user["user_id"],
            user["user_name"],
            email=user.get("email"),
            phone=user.get("phone"),
            attributes=attributes or None,
        )

    def control_users(self, request: Request, api_key: str) -> Response:
        """Every client of a key-holder in the provider's user shape (with `user_id` = `user_uid`)."""
        if self.store.key_holder(api_key) is None:
            raise ApiError(404, "Unknown key-holder")
        clients = self.store.clients(api_key)
        return json_response({"users": [{**users_module.user_doc(c), "user_id": c.user_id} for c in clients]})

    def control_user_quota(self, request: Request, api_key: str) -> Response:
        """`{"user_quota": n}` caps the clients this key-holder's admin may have; null lifts the cap."""
        if self.store.key_holder(api_key) is None:
            raise ApiError(404, "Unknown key-holder")
        body = _json_body(request)
        if "user_quota" not in body:
            raise ApiError(400, "user_quota is required (a number, or null for no limit)")
        quota = _quota(body["user_quota"])
        self.store.set_user_quota(api_key, quota)
        return json_response({"user_quota": quota})

    def control_faults(self, request: Request) -> Response:
        if request.method == "PUT":
            try:
                self.faults.set(Faults.from_dict(_json_body(request, empty_ok=True)))
            except (TypeError, ValueError) as exc:
                raise ApiError(400, str(exc)) from None
        elif request.method == "DELETE":
            self.faults.set(Faults())
        return json_response(self.faults.get().as_dict())

    def control_session(self, request: Request, session_id: str, action: str) -> Response:
        row = self.store.session(session_id)
        if row is None:
            raise ApiError(404, "Unknown session")
        if action == "fail":
            self.store.update_session(session_id, state=FAILED, results=None, analyzed=0)
        else:
            row = self.store.complete_now(session_id)
            if row is not None and row.analyzed:
                self._render_soon(row)
        return json_response(
            {"session_id": session_id, "processing_state": self.store.session(session_id).state}
        )

    def control_reset(self, request: Request) -> Response:
        body = _json_body(request, empty_ok=True)
        self.faults.set(Faults())
        self.store.wipe()
        if body.get("demo"):
            self.seed_demo()
        return json_response({"ok": True})

    def control_demo(self, request: Request) -> Response:
        self.seed_demo()
        return json_response(
            {"key": demo.DEMO_API_KEY, "sessions": [s.session_id for s in demo.DEMO_SESSIONS]}
        )


def _quota(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, "user_quota must be a non-negative integer or null")
    return value


def _require_admin(holder: KeyHolder) -> None:
    if not holder.is_admin:
        raise ApiError(403, NOT_ADMIN)


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    lowered = value.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0", ""}:
        return False
    raise ApiError(400, "Invalid parameters: booleans must be true or false")


def _filter_date(value: str | None):
    if value is None or value == "":
        return None
    try:
        if not _FILTER_DATE.match(value):
            raise ValueError(value)
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise ApiError(400, "Invalid date format (expected dd/mm/yyyy).") from None


def _seed(session_id: str) -> int:
    return int(hashlib.sha256(session_id.encode()).hexdigest()[:8], 16)


def _dropped(prefix: bytes, declared_length: int | None = None) -> Callable:
    """A WSGI app that sends `prefix` (maybe nothing), then shuts the socket as a crashing server would."""

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        headers = [("Content-Type", "application/json")]
        if declared_length is not None:
            headers.append(("Content-Length", str(declared_length)))

        def body() -> Iterable[bytes]:
            if prefix:
                start_response("200 OK", headers)
                yield prefix
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionAbortedError("sandbox fault: connection dropped")

        return body()

    return app
