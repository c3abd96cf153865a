"""HTTP client for the AiKYNETIX Web API: one method per endpoint, typed results, typed errors.

Reference: /work/shared/reference/aikynetix-api.md (sections 1, 5, 6, 7); DESIGN.md section 9 settles
where the sources disagree. Knows HTTP and the provider's JSON, nothing about Django.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

import requests
from requests.adapters import HTTPAdapter
from requests_toolbelt.multipart.encoder import MultipartEncoder, MultipartEncoderMonitor
from urllib3.util.retry import Retry

from . import parsing
from .errors import AikynetixError, ProviderUnavailable, UploadOutcomeUnknown, error_for_status
from .models import ACTIVITY_LABELS, Activity, Session, SessionPage, UploadResult

DEFAULT_BASE_URL = "https://api.aikynetix.app"

# UNCONFIRMED (reference 6.2, DESIGN 9): the live docs name "Fetch Sessions by IDs" (POST, body
# `session_ids`) without its path or response; this guess is the only place to change.
FETCH_BY_IDS_PATH = "/session-management/sessions/by-ids/"
# UNCONFIRMED (reference 6.3, DESIGN 9): the live docs describe an uploader filter and a processing-state
# filter without their query-parameter names.
UPLOADER_FILTER_PARAM = "uploaded_by"
PROCESSING_STATE_FILTER_PARAM = "processing_state"

LIST_PATH = "/session-management/sessions/"
FILTER_PATH = "/session-management/sessions/filter/"
SESSION_PATH = "/session-management/sessions/{session_id}"  # no trailing slash, as in the spec
ANALYZED_VIDEO_PATH = "/session-management/sessions/{session_id}/analyzed-video/"
UPLOAD_PATH = "/{activity}/sessions/"
MANAGEMENT_UPLOAD_PATH = "/{activity}/management/sessions/"

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_UPLOAD_TIMEOUT = (10.0, 300.0)  # the read part starts once the whole file is sent
UPLOAD_BLOCKSIZE = 1024 * 1024  # bytes per socket write; urllib3's 16 KiB default costs throughput

VideoSource = str | os.PathLike[str] | BinaryIO
Progress = Callable[[int, int], None]


class _UploadAdapter(HTTPAdapter):
    """No retries (a retried upload could duplicate a session) and large socket writes."""

    def __init__(self) -> None:
        super().__init__(max_retries=Retry(total=0, read=False, redirect=False, raise_on_status=False))

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs.setdefault("blocksize", UPLOAD_BLOCKSIZE)
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)


class AikynetixClient:
    """One API key talking to one AiKYNETIX base URL."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        upload_timeout: float | tuple[float, float] = DEFAULT_UPLOAD_TIMEOUT,
        retries: int = 3,
        backoff_factor: float = 0.5,
    ):
        if not api_key:
            raise ValueError("an API key is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        headers = {
            # DESIGN 9: the docs disagree on the header, so send both forms on every request.
            "Authorization": f"API-KEY {api_key}",
            "API-KEY": api_key,
            "Accept": "application/json",
            "User-Agent": "coachportal-aikynetix/1",
        }
        # Reads retry with backoff; writes never retry (only GET is idempotent and side-effect free enough).
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        self._reads = requests.Session()
        self._reads.headers.update(headers)
        self._reads.mount("http://", HTTPAdapter(max_retries=retry))
        self._reads.mount("https://", HTTPAdapter(max_retries=retry))
        self._writes = requests.Session()
        self._writes.headers.update(headers)
        self._writes.mount("http://", _UploadAdapter())
        self._writes.mount("https://", _UploadAdapter())

    def close(self) -> None:
        self._reads.close()
        self._writes.close()

    def __enter__(self) -> AikynetixClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Uploads ----------------------------------------------------------------------------------------

    def upload_running(
        self,
        video: VideoSource,
        *,
        user_id: str | None = None,
        session_name: str | None = None,
        incline_degree: float | str | None = None,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> UploadResult:
        """Upload a running video: to `user_id` via /running/management/sessions/, else to the key owner."""
        fields = {"session_name": session_name, "incline_degree": incline_degree}
        return self._upload(Activity.RUNNING, video, user_id, fields, filename, progress)

    def upload_jumping(
        self,
        video: VideoSource,
        *,
        user_id: str | None = None,
        session_name: str | None = None,
        exercise: str = "Countermovement Jump",
        incline_degree: float | str | None = None,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> UploadResult:
        """Upload a vertical-jump video (`exercise`: Countermovement Jump | Drop Jump)."""
        fields = {"session_name": session_name, "exercise": exercise, "incline_degree": incline_degree}
        return self._upload(Activity.JUMPING, video, user_id, fields, filename, progress)

    def upload_weightlifting(
        self,
        video: VideoSource,
        *,
        exercise_name: str,
        user_id: str | None = None,
        session_name: str | None = None,
        barbell_mass: float | str | None = None,
        filename: str | None = None,
        progress: Progress | None = None,
    ) -> UploadResult:
        """Upload a weightlifting video (`exercise_name`: snatch | clean | clean_and_jerk)."""
        fields = {"session_name": session_name, "exercise_name": exercise_name, "barbell_mass": barbell_mass}
        return self._upload(Activity.WEIGHTLIFTING, video, user_id, fields, filename, progress)

    def upload(self, activity: Activity | str, video: VideoSource, **kwargs: Any) -> UploadResult:
        """Dispatch to upload_running / upload_jumping / upload_weightlifting by activity."""
        method = {
            Activity.RUNNING: self.upload_running,
            Activity.JUMPING: self.upload_jumping,
            Activity.WEIGHTLIFTING: self.upload_weightlifting,
        }[Activity(activity)]
        return method(video, **kwargs)

    def _upload(
        self,
        activity: Activity,
        video: VideoSource,
        user_id: str | None,
        fields: dict[str, Any],
        filename: str | None,
        progress: Progress | None,
    ) -> UploadResult:
        template = MANAGEMENT_UPLOAD_PATH if user_id is not None else UPLOAD_PATH
        url = self.base_url + template.format(activity=activity.value)
        parts: list[tuple[str, Any]] = []
        if user_id is not None:
            parts.append(("user_id", str(user_id)))
        parts += [(name, str(value)) for name, value in fields.items() if value is not None]
        owned = isinstance(video, str | os.PathLike)
        fileobj: BinaryIO = open(video, "rb") if owned else video  # noqa: SIM115 -- closed below
        try:
            name = filename or os.path.basename(str(video if owned else getattr(video, "name", "video.mp4")))
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            encoder = MultipartEncoder(fields=[*parts, ("video", (name, fileobj, content_type))])
            callback = (lambda m: progress(m.bytes_read, m.len)) if progress else None
            monitor = MultipartEncoderMonitor(encoder, callback)
            try:
                response = self._writes.post(
                    url,
                    data=monitor,
                    headers={"Content-Type": monitor.content_type},
                    timeout=self.upload_timeout,
                )
            except requests.exceptions.ReadTimeout as exc:
                raise UploadOutcomeUnknown(f"no answer after the upload was sent: {exc}") from exc
            except requests.exceptions.RequestException as exc:
                if monitor.bytes_read >= monitor.len:
                    raise UploadOutcomeUnknown(f"connection lost after the upload was sent: {exc}") from exc
                raise ProviderUnavailable(f"upload not completed: {exc}") from exc
        finally:
            if owned:
                fileobj.close()
        body = self._body(response, body_sent=True)
        try:
            return parsing.parse_upload(body)
        except parsing.MalformedResponse as exc:
            raise UploadOutcomeUnknown(
                f"unexpected upload answer: {exc}", status=response.status_code
            ) from exc

    # Session management -----------------------------------------------------------------------------

    def list_sessions(self) -> list[Session]:
        """All sessions of the key's account, newest first; [] when the provider says there are none."""
        body = self._get(LIST_PATH, empty_on_404=True)
        return [] if body is None else self._parse(parsing.parse_sessions, body)

    def fetch_sessions(self, session_ids: list[str]) -> list[Session]:
        """Sessions with these ids (the endpoint's path is unconfirmed; falls back to the full list)."""
        ids = [str(i) for i in session_ids]
        if not ids:
            return []
        try:
            body = self._send("POST", FETCH_BY_IDS_PATH, json={"session_ids": ids}, empty_on_404=True)
        except AikynetixError as exc:
            # 405 or an HTML 404 means the guessed path does not exist upstream: keep working without it.
            if exc.status not in (404, 405):
                raise
            wanted = set(ids)
            return [s for s in self.list_sessions() if s.id in wanted]
        return [] if body is None else self._parse(parsing.parse_sessions, body)

    def filter_sessions(
        self,
        *,
        activity: Activity | str | None = None,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        title: str | None = None,
        user_id: str | None = None,
        uploaded_by: str | None = None,
        processing_state: str | None = None,
        limit: int | None = None,
        start_after_id: str | None = None,
        end_before_id: str | None = None,
    ) -> SessionPage:
        """One page of GET /session-management/sessions/filter/ (cursors apply only without filters)."""
        if isinstance(activity, Activity):
            activity = ACTIVITY_LABELS[activity]
        elif activity in set(Activity):
            activity = ACTIVITY_LABELS[Activity(activity)]
        params = {
            "activity": activity,
            "start_date": parsing.format_filter_date(start_date) if start_date is not None else None,
            "end_date": parsing.format_filter_date(end_date) if end_date is not None else None,
            "title": title,
            "user_id": user_id,
            UPLOADER_FILTER_PARAM: uploaded_by,
            PROCESSING_STATE_FILTER_PARAM: processing_state,
            "limit": limit,
            "start_after_id": start_after_id,
            "end_before_id": end_before_id,
        }
        body = self._get(
            FILTER_PATH, params={k: v for k, v in params.items() if v is not None}, empty_on_404=True
        )
        if body is None:
            return SessionPage(sessions=[], query_count=0, first_doc_id=None, last_doc_id=None)
        return self._parse(parsing.parse_page, body)

    def iter_sessions(self, *, page_size: int = 50) -> Iterator[Session]:
        """Walk every session with the unfiltered filter endpoint, page by page (DESIGN 9 sync)."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.filter_sessions(limit=page_size, start_after_id=cursor)
            fresh = [s for s in page.sessions if s.id not in seen]
            seen.update(s.id for s in fresh)
            yield from fresh
            # Stop on a short or repeated page too, so a provider ignoring the cursor cannot loop forever.
            if not fresh or len(page.sessions) < page_size or not page.last_doc_id:
                return
            cursor = page.last_doc_id

    def update_session(
        self, session_id: str, *, title: str | None = None, created_at: datetime | str | None = None
    ) -> str:
        """Change the title and/or the timestamp (sent as `YYYY-MM-DD HH:MM:SS`); return the message."""
        payload: dict[str, str] = {}
        if title is not None:
            payload["title"] = title
        if created_at is not None:
            payload["created_at"] = parsing.format_update_timestamp(created_at)
        if not payload:
            raise ValueError("give a title, a created_at or both")
        body = self._send("PUT", SESSION_PATH.format(session_id=session_id), json=payload)
        return self._parse(parsing.parse_success_message, body)

    def delete_session(self, session_id: str) -> str:
        """Delete a session with its videos and reports; return the provider's message."""
        body = self._send("DELETE", SESSION_PATH.format(session_id=session_id))
        return self._parse(parsing.parse_success_message, body)

    # Analyzed video ---------------------------------------------------------------------------------

    def get_analyzed_video_url(
        self, session_id: str, *, is_jump: bool = False, is_weight: bool = False, download: bool = False
    ) -> str:
        """URL of the analysed video (the provider may create it); `download` asks for a signed link."""
        flags = {"is_jump": is_jump, "is_weight": is_weight, "download": download}
        params = {name: "true" for name, on in flags.items() if on}
        body = self._get(ANALYZED_VIDEO_PATH.format(session_id=session_id), params=params)
        return self._parse(parsing.parse_video_url, body)

    def generate_analyzed_video(
        self, session_id: str, *, is_jump: bool = False, is_weight: bool = False
    ) -> str:
        """Ask the provider to generate the analysed video; return its URL."""
        path = ANALYZED_VIDEO_PATH.format(session_id=session_id)
        body = self._send("POST", path, json={"is_jump": is_jump, "is_weight": is_weight})
        return self._parse(parsing.parse_video_url, body)

    # Plumbing ---------------------------------------------------------------------------------------

    def _get(self, path: str, *, params: dict[str, Any] | None = None, empty_on_404: bool = False) -> Any:
        return self._send("GET", path, params=params, empty_on_404=empty_on_404)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        empty_on_404: bool = False,
    ) -> Any:
        session = self._reads if method == "GET" else self._writes
        try:
            response = session.request(
                method, self.base_url + path, params=params, json=json, timeout=self.timeout
            )
        except requests.exceptions.RequestException as exc:
            # After urllib3's retries a read timeout arrives wrapped in a ConnectionError.
            timed_out = isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc)
            problem = "timed out" if timed_out else "unreachable or connection dropped"
            raise ProviderUnavailable(f"AiKYNETIX {problem}: {exc}") from exc
        return self._body(response, empty_on_404=empty_on_404)

    @staticmethod
    def _body(response: requests.Response, *, body_sent: bool = False, empty_on_404: bool = False) -> Any:
        """Return the JSON body of a success; raise the typed error otherwise (None for an empty 404)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if 200 <= status < 300:
            if body is None:
                error = UploadOutcomeUnknown if body_sent else ProviderUnavailable
                raise error("AiKYNETIX answered with a body that is not JSON", status=status)
            return body
        # A JSON 404 on a collection means "no sessions" (DESIGN 9); an HTML 404 means a wrong path.
        if status == 404 and empty_on_404 and isinstance(body, dict):
            return None
        raise error_for_status(status, parsing.error_message(body, response.text), body_sent=body_sent)

    @staticmethod
    def _parse(parser: Callable[[Any], Any], body: Any) -> Any:
        try:
            return parser(body)
        except parsing.MalformedResponse as exc:
            raise ProviderUnavailable(
                f"AiKYNETIX answered with an unexpected shape: {exc}", status=200
            ) from exc
