"""HTTP client for the AiKYNETIX Web API: one method per endpoint, typed results, typed errors.

Reference: /work/shared/reference/aikynetix-api.md (sections 1, 5, 6, 7, 12.1); DESIGN.md section 9
settles where the sources disagree. Knows HTTP and the provider's JSON, nothing about Django.

Clients (athletes) of the key's admin go through the documented `/user-management/...` endpoints
(reference 1.3, 12.1). The live docs name a successor, `/client-management/clients/` (reference 11.2,
16 item 21), whose create/update shapes and pagination were never captured. `list_users` falls back
to it in one case only: the documented path answers a 404 that is not the provider's own JSON error
(an HTML page, a non-JSON body, or a bare "Not found"), i.e. the path itself has gone; a JSON 404 such
as "No users found under admin" keeps its documented meaning. Every other method uses only the
documented paths.

Only documented query parameters are sent. The live docs' uploader and processing-state session
filters have no documented names: they are sent only when SEND_UNCONFIRMED_FILTERS is switched on.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO, NoReturn, TypeVar
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from requests_toolbelt.multipart.encoder import MultipartEncoder, MultipartEncoderMonitor
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from . import parsing
from .errors import (
    AikynetixError,
    EmailAlreadyInUse,
    InvalidRequest,
    NotFound,
    ProviderUnavailable,
    UploadOutcomeUnknown,
    UserNotUnderAdmin,
    UserQuotaReached,
    WriteOutcomeUnknown,
    error_for_status,
)
from .models import (
    ACTIVITY_LABELS,
    Activity,
    ClientUser,
    OrganizationStatus,
    Session,
    SessionPage,
    UploadRequest,
    UploadResult,
    UserPage,
)

DEFAULT_BASE_URL = "https://api.aikynetix.app"

# UNCONFIRMED (reference 6.2, DESIGN 9): the live docs name "Fetch Sessions by IDs" (POST, body
# `session_ids`) without its path or response; this guess is the only place to change.
FETCH_BY_IDS_PATH = "/session-management/sessions/by-ids/"
# UNCONFIRMED (reference 6.3, DESIGN 9): the live docs describe an uploader filter and a processing-state
# filter without their query-parameter names.
# No document names them, so they are never sent unless this is switched on (DESIGN 8).
UPLOADER_FILTER_PARAM = "uploaded_by"
PROCESSING_STATE_FILTER_PARAM = "processing_state"
SEND_UNCONFIRMED_FILTERS = False

LIST_PATH = "/session-management/sessions/"
FILTER_PATH = "/session-management/sessions/filter/"
SESSION_PATH = "/session-management/sessions/{session_id}"  # no trailing slash, as in the spec
ANALYZED_VIDEO_PATH = "/session-management/sessions/{session_id}/analyzed-video/"
UPLOAD_PATH = "/{activity}/sessions/"
MANAGEMENT_UPLOAD_PATH = "/{activity}/management/sessions/"

USERS_PATH = "/user-management/users/"  # GET list, POST create, PUT update, DELETE (uid in the body)
USERS_FILTER_PATH = "/user-management/users/filter/"
USER_PATH = "/user-management/users/{user_uid}"  # no trailing slash, as in the spec
ORGANIZATION_STATUS_PATH = "/user-management/organization-status/"
# UNCONFIRMED (reference 11.2, 16 item 21): the live docs' successor of USERS_PATH; only list_users
# uses it, as a fallback when USERS_PATH itself is gone (see the module docstring).
CLIENTS_PATH = "/client-management/clients/"

# PUT /user-management/users/ fields, as Python names -> wire names (reference 12.1).
USER_UPDATE_FIELDS = {
    "display_name": "display_name",
    "email": "email",
    "height": "height",
    "weight": "weight",
    "leg_length": "leg_length",
    "gender": "gender",
    "age": "age",
    "ycom": "ycom",
    "shoe_size": "shoeSize",
    "brand": "brand",
    "shoe_model": "shoeModel",
}
_NUMBER_UPDATE_FIELDS = frozenset({"height", "weight", "leg_length", "ycom"})

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds
DEFAULT_UPLOAD_TIMEOUT = (10.0, 300.0)  # the read part starts once the whole file is sent
UPLOAD_BLOCKSIZE = 1024 * 1024  # bytes per socket write; urllib3's 16 KiB default costs throughput

VideoSource = str | os.PathLike[str] | BinaryIO
Progress = Callable[[int, int], None]
Item = TypeVar("Item")


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

    def send_upload(
        self, request: UploadRequest, video: VideoSource, *, progress: Progress | None = None
    ) -> UploadResult:
        """Upload a video as `request` describes it (activity, athlete or own account, fields)."""
        return self.upload(
            request.activity, video, filename=request.filename, progress=progress, **request.fields()
        )

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
        """One page of GET /session-management/sessions/filter/ (cursors apply only without filters).

        `uploaded_by` and `processing_state` have no documented parameter names: they raise ValueError
        unless SEND_UNCONFIRMED_FILTERS is on, rather than being sent under a guessed name.
        """
        unconfirmed = uploaded_by is not None or processing_state is not None
        if unconfirmed and not SEND_UNCONFIRMED_FILTERS:
            raise ValueError(
                "the uploader and processing-state filters are unconfirmed upstream; "
                "switch on SEND_UNCONFIRMED_FILTERS to send them"
            )
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

        def page(cursor: str | None) -> tuple[list[Session], str | None]:
            found = self.filter_sessions(limit=page_size, start_after_id=cursor)
            return found.sessions, found.last_doc_id

        yield from _walk(page, lambda session: session.id, page_size)

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

    # Clients (user management) ----------------------------------------------------------------------

    def list_users(self) -> list[ClientUser]:
        """Every client of the key's admin (never the admin itself); [] when there are none."""
        response = self._request("GET", USERS_PATH)
        if response.status_code == 404:
            kind = _users_404_kind(response)
            if kind == "empty":
                return []
            if kind == "path_gone":
                return self._list_clients_fallback(response)
        return self._parse(parsing.parse_users, self._body(response))

    def _list_clients_fallback(self, original: requests.Response) -> list[ClientUser]:
        response = self._request("GET", CLIENTS_PATH)
        if response.status_code == 404 and _users_404_kind(response) == "empty":
            return []
        if not 200 <= response.status_code < 300:
            self._body(original)  # the documented path's own error says more than the guess's
        return self._parse(parsing.parse_users, self._body(response))

    def filter_users(
        self,
        *,
        start_after_id: str | None = None,
        end_before_id: str | None = None,
        limit: int | None = None,
    ) -> UserPage:
        """One page of GET /user-management/users/filter/ (the provider's default page size is 5)."""
        params = {"start_after_id": start_after_id, "end_before_id": end_before_id, "limit": limit}
        response = self._request(
            "GET", USERS_FILTER_PATH, params={k: v for k, v in params.items() if v is not None}
        )
        if response.status_code == 404 and _users_404_kind(response) == "empty":
            return UserPage(users=[], query_count=0, first_uid=None, last_uid=None)
        return self._parse(parsing.parse_user_page, self._body(response))

    def iter_users(self, *, page_size: int = 50) -> Iterator[ClientUser]:
        """Walk every client page by page with `start_after_id`."""
        if page_size < 1:
            raise ValueError("page_size must be at least 1")

        def page(cursor: str | None) -> tuple[list[ClientUser], str | None]:
            found = self.filter_users(limit=page_size, start_after_id=cursor)
            return found.users, found.last_uid

        yield from _walk(page, lambda user: user.user_uid, page_size)

    def get_user(self, user_uid: str) -> ClientUser:
        """One client; UserNotUnderAdmin when the uid is unknown or another admin's."""
        path = USER_PATH.format(user_uid=quote(_uid(user_uid), safe=""))
        try:
            body = self._get(path)
        except NotFound as exc:
            _raise_user_404(exc)
        return self._parse(parsing.parse_user, body)

    def create_user(self, *, email: str, display_name: str, phone: str | None = None) -> ClientUser:
        """Create a client under the key's admin (201 {"userData": ...}); never retried.

        A lost answer raises WriteOutcomeUnknown: the client may exist, so look the email up before
        creating again.
        """
        payload = {"email": email, "display_name": display_name}
        if phone is not None:
            payload["phone"] = phone
        response = self._write("POST", USERS_PATH, payload)
        try:
            body = self._body(response, body_sent=True, unknown_outcome=WriteOutcomeUnknown)
        except NotFound as exc:
            if "limit" in exc.message.lower():
                raise UserQuotaReached(exc.message, status=exc.status) from exc
            raise
        except InvalidRequest as exc:
            _raise_user_400(exc)
        try:
            return parsing.parse_created_user(body)
        except parsing.MalformedResponse as exc:
            raise WriteOutcomeUnknown(
                f"unexpected answer to the user creation: {exc}", status=response.status_code
            ) from exc

    def update_user(self, user_uid: str, **attributes: Any) -> None:
        """PUT the given attributes (Python names of USER_UPDATE_FIELDS); None values are left out.

        The documents give no way to clear a field, so None means "leave unchanged" (and nothing is sent
        when nothing is left). Measures must be numbers (ValueError otherwise); `age` and `shoe_size` go
        as strings. Never retried; a lost answer raises WriteOutcomeUnknown.
        """
        unknown = sorted(set(attributes) - set(USER_UPDATE_FIELDS))
        if unknown:
            raise TypeError(f"update_user() got unexpected attributes: {', '.join(unknown)}")
        payload: dict[str, Any] = {"user_uid": _uid(user_uid)}
        for name, value in attributes.items():
            if value is None:
                continue
            if name in _NUMBER_UPDATE_FIELDS:
                payload[USER_UPDATE_FIELDS[name]] = parsing.format_number(value)
            else:
                payload[USER_UPDATE_FIELDS[name]] = parsing.format_text(value)
        if len(payload) == 1:
            return
        self._user_write("PUT", payload)

    def delete_user(self, user_uid: str) -> str:
        """Remove a client from the key's admin (uid in the JSON body); return the provider's message."""
        body = self._user_write("DELETE", {"user_uid": _uid(user_uid)})
        return self._parse(parsing.parse_success_message, body)

    def organization_status(self) -> OrganizationStatus:
        """Who owns the key (uid), its role, plan and activities; NotPermitted for a non-admin key."""
        return self._parse(parsing.parse_organization_status, self._get(ORGANIZATION_STATUS_PATH))

    def _user_write(self, method: str, payload: dict[str, Any]) -> Any:
        response = self._write(method, USERS_PATH, payload)
        try:
            return self._body(response, body_sent=True, unknown_outcome=WriteOutcomeUnknown)
        except NotFound as exc:
            _raise_user_404(exc)
        except InvalidRequest as exc:
            _raise_user_400(exc)

    # Plumbing ---------------------------------------------------------------------------------------

    def _write(self, method: str, path: str, payload: dict[str, Any]) -> requests.Response:
        """Send a JSON write once; a failure after the request left raises WriteOutcomeUnknown."""
        try:
            return self._writes.request(method, self.base_url + path, json=payload, timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            if _never_sent(exc):
                raise ProviderUnavailable(f"AiKYNETIX unreachable: {exc}") from exc
            raise WriteOutcomeUnknown(f"no answer from AiKYNETIX after the request was sent: {exc}") from exc

    def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> requests.Response:
        """Send once (a GET is retried by the read session); a transport failure is ProviderUnavailable."""
        session = self._reads if method == "GET" else self._writes
        try:
            return session.request(
                method, self.base_url + path, params=params, json=json, timeout=self.timeout
            )
        except requests.exceptions.RequestException as exc:
            # After urllib3's retries a read timeout arrives wrapped in a ConnectionError.
            timed_out = isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc)
            problem = "timed out" if timed_out else "unreachable or connection dropped"
            raise ProviderUnavailable(f"AiKYNETIX {problem}: {exc}") from exc

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
        response = self._request(method, path, params=params, json=json)
        return self._body(response, empty_on_404=empty_on_404)

    @staticmethod
    def _body(
        response: requests.Response,
        *,
        body_sent: bool = False,
        empty_on_404: bool = False,
        unknown_outcome: type[WriteOutcomeUnknown] = UploadOutcomeUnknown,
    ) -> Any:
        """Return the JSON body of a success; raise the typed error otherwise (None for an empty 404)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if 200 <= status < 300:
            if body is None:
                error = unknown_outcome if body_sent else ProviderUnavailable
                raise error("AiKYNETIX answered with a body that is not JSON", status=status)
            return body
        # A JSON 404 on a collection means "no sessions" (DESIGN 9); an HTML 404 means a wrong path.
        if status == 404 and empty_on_404 and isinstance(body, dict):
            return None
        message = parsing.error_message(body, response.text)
        raise error_for_status(status, message, body_sent=body_sent, unknown_outcome=unknown_outcome)

    @staticmethod
    def _parse(parser: Callable[[Any], Any], body: Any) -> Any:
        try:
            return parser(body)
        except parsing.MalformedResponse as exc:
            raise ProviderUnavailable(
                f"AiKYNETIX answered with an unexpected shape: {exc}", status=200
            ) from exc


def _walk(
    page: Callable[[str | None], tuple[list[Item], str | None]], key: Callable[[Item], str], page_size: int
) -> Iterator[Item]:
    """Yield each item of a cursor-paged list once: `page(cursor)` gives a page's items and its last id."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        items, last = page(cursor)
        fresh = [item for item in items if key(item) not in seen]
        seen.update(key(item) for item in fresh)
        yield from fresh
        # Stop on a short or repeated page too, so a provider ignoring the cursor cannot loop forever.
        if not fresh or len(items) < page_size or not last:
            return
        cursor = last


def _uid(user_uid: str) -> str:
    if not isinstance(user_uid, str) or not user_uid.strip():
        raise ValueError("a user_uid is required")
    return user_uid.strip()


def _users_404_kind(response: requests.Response) -> str:
    """ "empty" (the provider's "No users found..."), "path_gone" (not the provider's JSON) or "error"."""
    try:
        body = response.json()
    except ValueError:
        return "path_gone"
    if not isinstance(body, dict):
        return "path_gone"
    message = parsing.error_message(body, "").lower()
    if "no users" in message:
        return "empty"
    if message.strip(" .!") in {"not found", "no error message"}:
        return "path_gone"
    return "error"


def _raise_user_404(exc: NotFound) -> NoReturn:
    """Raise a 404 about the user (not under this admin, unknown) as UserNotUnderAdmin; others as they are."""
    lowered = exc.message.lower()
    if "not under" in lowered or ("user" in lowered and ("not found" in lowered or "not exist" in lowered)):
        raise UserNotUnderAdmin(exc.message, status=exc.status) from exc
    raise exc


def _raise_user_400(exc: InvalidRequest) -> NoReturn:
    """Raise a 400 saying the email is taken as EmailAlreadyInUse (look the client up instead)."""
    lowered = exc.message.lower()
    if "email" in lowered and ("already" in lowered or "exists" in lowered):
        raise EmailAlreadyInUse(exc.message, status=exc.status) from exc
    raise exc


def _never_sent(exc: requests.exceptions.RequestException) -> bool:
    """Whether the request certainly never reached the provider (refused, unresolvable, no TLS)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, NewConnectionError)
