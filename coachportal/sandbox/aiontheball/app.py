"""The AI on the Ball sandbox as a werkzeug WSGI app: the documented API plus control endpoints.

API under /api/v1 (Bearer tokens, {"data": ...} envelopes for videos and analyses, bare JSON for
results); control under /__sandbox__/ (key-holders, faults, webhooks, reset, media).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from . import demo, matchdata, media, query
from .faults import STATUS_MESSAGES, FaultBox
from .store import MIN_ANALYSABLE_SECONDS, Store, trimmed_duration
from .workers import WebhookSender, is_local, outcome_for, resume_fetches, start_fetch

API = "/api/v1"
CONTROL = "/__sandbox__"
DEFAULT_PER_PAGE = 15
MAX_PER_PAGE = 100
# The query parameters each endpoint accepts; any other is answered 400, as a strict server would, so a
# client sending an undocumented one is caught. `format` is documented for the tracking export; `page`
# is what this sandbox's own `links.next` carries (the documented way to page is to follow that link).
QUERY_PARAMETERS = {
    "list_videos": frozenset({"page"}),
    "tracking": frozenset({"format"}),
}
TRACKING_SECONDS = 20.0

URL_MAP = Map(
    [
        Rule(f"{API}/videos", endpoint="list_videos", methods=["GET"]),
        Rule(f"{API}/videos", endpoint="create_video", methods=["POST"]),
        Rule(f"{API}/videos/<int:video_id>", endpoint="get_video", methods=["GET"]),
        Rule(f"{API}/videos/<int:video_id>", endpoint="update_video", methods=["PUT"]),
        Rule(f"{API}/videos/<int:video_id>", endpoint="delete_video", methods=["DELETE"]),
        Rule(f"{API}/videos/<int:video_id>/analysis", endpoint="create_analysis", methods=["POST"]),
        Rule(f"{API}/analyses/<int:analysis_id>", endpoint="get_analysis", methods=["GET"]),
        Rule(f"{API}/analyses/<int:analysis_id>/events", endpoint="events", methods=["GET"]),
        Rule(f"{API}/analyses/<int:analysis_id>/summary", endpoint="summary", methods=["GET"]),
        Rule(f"{API}/analyses/<int:analysis_id>/schema", endpoint="schema", methods=["GET"]),
        Rule(
            f"{API}/analyses/<int:analysis_id>/query-intervals", endpoint="query_intervals", methods=["POST"]
        ),
        Rule(f"{API}/analyses/<int:analysis_id>/tracking/download", endpoint="tracking", methods=["GET"]),
        Rule(f"{CONTROL}/health", endpoint="c_health", methods=["GET"]),
        Rule(f"{CONTROL}/keyholders", endpoint="c_keyholders", methods=["GET", "POST"]),
        Rule(f"{CONTROL}/keyholders/<int:keyholder_id>", endpoint="c_delete_keyholder", methods=["DELETE"]),
        Rule(
            f"{CONTROL}/keyholders/<int:keyholder_id>/webhook",
            endpoint="c_webhook",
            methods=["PUT", "DELETE"],
        ),
        Rule(f"{CONTROL}/webhooks/deliveries", endpoint="c_deliveries", methods=["GET", "DELETE"]),
        Rule(f"{CONTROL}/faults", endpoint="c_faults", methods=["GET", "POST", "DELETE"]),
        Rule(f"{CONTROL}/reset", endpoint="c_reset", methods=["POST"]),
        Rule(f"{CONTROL}/settings", endpoint="c_settings", methods=["GET", "POST", "DELETE"]),
        Rule(f"{CONTROL}/media/videos/<int:video_id>.mp4", endpoint="c_media", methods=["GET"]),
    ],
    strict_slashes=False,
    merge_slashes=False,
)

VIDEO_TEXT_FIELDS = ("title", "home_team_name", "away_team_name")
VIDEO_FIELDS = (*VIDEO_TEXT_FIELDS, "date", "start_offset_seconds", "end_offset_seconds", "left_start_team")


class ApiError(Exception):
    def __init__(self, status: int, message: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message or STATUS_MESSAGES.get(status, "Error.")
        self.errors = errors


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json", headers=headers)


def error_response(status: int, message: str | None = None, errors: dict[str, list[str]] | None = None):
    body: dict[str, Any] = {"message": message or STATUS_MESSAGES.get(status, "Error.")}
    if errors:
        body["errors"] = errors
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    return json_response(body, status, headers)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, message, {field: [message]})


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_json(request: Request, *, required: bool) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "The request body must be a JSON object.")
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def validate_video_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Check the optional video fields (Laravel-style 422 on the first bad one)."""
    clean: dict[str, Any] = {}
    for name in VIDEO_TEXT_FIELDS:
        if name in body:
            value = body[name]
            if value is not None and (not isinstance(value, str) or len(value) > 255):
                raise invalid(
                    name, f"The {name.replace('_', ' ')} field must be a string of at most 255 characters."
                )
            clean[name] = value
    if "date" in body:
        value = body["date"]
        if value is not None:
            try:
                if not (isinstance(value, str) and len(value) == 10):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                raise invalid("date", "The date field must match the format Y-m-d.") from None
        clean["date"] = value
    for name in ("start_offset_seconds", "end_offset_seconds"):
        if name in body:
            value = body[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise invalid(
                    name, f"The {name.replace('_', ' ')} field must be a whole number of at least 0."
                )
            clean[name] = value
    if "left_start_team" in body:
        value = body["left_start_team"]
        if value not in (None, "home", "away"):
            raise invalid("left_start_team", "The selected left start team is invalid (use home or away).")
        clean["left_start_team"] = value
    return clean


class SandboxApp:
    """WSGI callable holding the store, the fault box and the webhook sender."""

    def __init__(self, data_dir: Path, *, step_seconds: float = 2.0, demo_mode: bool = False) -> None:
        self.store = Store(data_dir, step_seconds=step_seconds)
        self.faults = FaultBox()
        self.webhooks = WebhookSender(self.store, self.faults)
        self.demo_mode = demo_mode
        self.page_size = DEFAULT_PER_PAGE
        if demo_mode:
            demo.seed_demo(self.store)

    def start_background(self) -> None:
        resume_fetches(self.store)
        self.webhooks.start()
        if self.demo_mode:
            # Encoding a match-length MP4 takes seconds: do it before the first coach presses play.
            threading.Thread(target=self._prepare_demo_media, daemon=True).start()

    def _prepare_demo_media(self) -> None:
        for video_id in demo.DEMO_VIDEO_IDS:
            video = self.store.video(video_id)
            if video is not None:
                media.ensure_placeholder(
                    self.store.data_dir / "media", trimmed_duration(video), seed=video_id
                )

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    # -- dispatch -----------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        adapter = URL_MAP.bind_to_environ(request.environ)
        is_api = request.path.startswith(API)
        if is_api:
            faulty = self.apply_faults(request)
            if faulty is not None:
                return faulty
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed:
            return error_response(405, "The method is not supported for this route.")
        except NotFound:
            return error_response(404, "Not Found.")
        except HTTPException as exc:
            return error_response(exc.code or 400, exc.description)
        try:
            if endpoint.startswith("c_"):
                return getattr(self, endpoint)(request, **args)
            holder = self.authenticate(request)
            self.refuse_unknown_parameters(request, endpoint)
            return getattr(self, endpoint)(request, holder, **args)
        except ApiError as exc:
            return error_response(exc.status, exc.message, exc.errors)

    def apply_faults(self, request: Request) -> Response | None:
        decision = self.faults.decide(request.method, request.path)
        if decision.latency:
            time.sleep(decision.latency)
        if decision.drop_connection:
            sock = request.environ.get("werkzeug.socket")
            if sock is not None:
                # Shut the socket down under werkzeug: the client sees the connection close unanswered.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            return Response(b"", status=500)
        if decision.hang:
            self.faults.wait(decision.hang)
        if decision.malformed_json:
            return Response('{"data": [{"id": 1, "status": "avail', status=200, mimetype="application/json")
        if decision.error_status:
            return error_response(decision.error_status)
        if decision.reject_token:
            return error_response(401, "Unauthenticated.")
        return None

    @staticmethod
    def refuse_unknown_parameters(request: Request, endpoint: str) -> None:
        unknown = sorted(set(request.args) - QUERY_PARAMETERS.get(endpoint, frozenset()))
        if unknown:
            raise ApiError(
                400,
                f"Unknown query parameter: {', '.join(unknown)}.",
                {name: [f"The {name} parameter is not supported."] for name in unknown},
            )

    def authenticate(self, request: Request) -> dict[str, Any]:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Unauthenticated.")
        holder = self.store.keyholder_for_token(token.strip())
        if holder is None:
            raise ApiError(401, "Unauthenticated.")
        return holder

    # -- serializers --------------------------------------------------------------------------------

    def video_json(self, request: Request, video: dict[str, Any]) -> dict[str, Any]:
        state = self.store.video_state(video)
        analyses = [
            {"id": item["id"], "status": self.store.analysis_state(item).status}
            for item in self.store.analyses_of_video(video["id"])
        ]
        return {
            "id": video["id"],
            "status": state.status,
            "game_name": video["game_name"],
            "title": video.get("title"),
            "created_at": iso(video["created_at"]),
            "home_team_name": video.get("home_team_name"),
            "away_team_name": video.get("away_team_name"),
            "date": video.get("date"),
            "start_offset_seconds": video.get("start_offset_seconds"),
            "end_offset_seconds": video.get("end_offset_seconds"),
            "left_start_team": video.get("left_start_team"),
            "duration": state.duration,
            "mp4_source": f"{request.host_url}{CONTROL.lstrip('/')}/media/videos/{video['id']}.mp4"
            if state.status == "available"
            else None,
            "analyses": analyses,
        }

    def analysis_json(self, analysis: dict[str, Any]) -> dict[str, Any]:
        state = self.store.analysis_state(analysis)
        video = self.store.video(analysis["video_id"]) or {}
        return {
            "id": analysis["id"],
            "video_id": analysis["video_id"],
            "status": state.status,
            "algorithm_version": analysis["algorithm_version"],
            "parameters": {"fps": analysis["fps"]},
            "created_at": iso(analysis["created_at"]),
            "results_available": state.results_available,
            "progress": state.progress,
            "video": {"id": analysis["video_id"], "title": video.get("title")},
        }

    # -- videos -------------------------------------------------------------------------------------

    def own_video(self, holder: dict[str, Any], video_id: int) -> dict[str, Any]:
        video = self.store.video(video_id, owner=holder["id"])
        if video is None:
            # Another key-holder's video is as unknown as a missing one.
            raise ApiError(404, "Video not found.")
        return video

    def list_videos(self, request: Request, holder: dict[str, Any]) -> Response:
        page = self._positive_int(request, "page", 1, None)
        per_page = self.page_size
        videos = self.store.videos_of(holder["id"])
        total = len(videos)
        last_page = max(1, math.ceil(total / per_page))
        chunk = videos[(page - 1) * per_page : page * per_page]
        path = f"{request.host_url.rstrip('/')}{API}/videos"

        def page_url(number: int | None) -> str | None:
            if number is None:
                return None
            return f"{path}?{urlencode({'page': number})}"

        prev_page = page - 1 if 1 < page <= last_page + 1 else None
        next_page = page + 1 if page < last_page else None
        first_index = (page - 1) * per_page + 1
        return json_response(
            {
                "data": [self.video_json(request, video) for video in chunk],
                "links": {
                    "first": page_url(1),
                    "last": page_url(last_page),
                    "prev": page_url(prev_page),
                    "next": page_url(next_page),
                },
                "meta": {
                    "current_page": page,
                    "from": first_index if chunk else None,
                    "last_page": last_page,
                    "links": [
                        {"url": page_url(prev_page), "label": "&laquo; Previous", "active": False},
                        *(
                            {"url": page_url(number), "label": str(number), "active": number == page}
                            for number in range(1, last_page + 1)
                        ),
                        {"url": page_url(next_page), "label": "Next &raquo;", "active": False},
                    ],
                    "path": path,
                    "per_page": per_page,
                    "to": first_index + len(chunk) - 1 if chunk else None,
                    "total": total,
                },
            }
        )

    @staticmethod
    def _positive_int(request: Request, name: str, default: int, maximum: int | None) -> int:
        raw = request.args.get(name)
        if raw is None:
            return default
        if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
            limit = f" and at most {maximum}" if maximum else ""
            raise invalid(
                name, f"The {name.replace('_', ' ')} field must be a whole number of at least 1{limit}."
            )
        return int(raw)

    def create_video(self, request: Request, holder: dict[str, Any]) -> Response:
        body = read_json(request, required=True)
        url = body.get("video_file_url")
        if url is None or url == "":
            raise invalid("video_file_url", "The video file url field is required.")
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2048:
            raise invalid("video_file_url", "The video file url field must be a valid URL.")
        fields = {name: None for name in VIDEO_FIELDS} | validate_video_fields(body)
        start, end = fields["start_offset_seconds"], fields["end_offset_seconds"]
        if start is not None and end is not None and end <= start:
            raise invalid(
                "end_offset_seconds",
                "The end offset seconds field must be greater than start offset seconds.",
            )
        video = self.store.add_video(
            holder["id"],
            {"video_file_url": url, **fields},
            outcome=outcome_for(url),
        )
        if not is_local(url):
            # A match of 90 to 95 minutes, fixed per video id, for URLs the sandbox does not download.
            self.store.update_video(video["id"], {"source_duration": 5400 + (video["id"] * 37) % 300})
        created = self.store.video(video["id"])  # the answer describes the video as created ("init"),
        start_fetch(self.store, video["id"], url)  # whatever the download thread does next
        return json_response({"data": self.video_json(request, created)}, 201)

    def get_video(self, request: Request, holder: dict[str, Any], video_id: int) -> Response:
        return json_response({"data": self.video_json(request, self.own_video(holder, video_id))})

    def update_video(self, request: Request, holder: dict[str, Any], video_id: int) -> Response:
        video = self.own_video(holder, video_id)
        body = read_json(request, required=False)
        if "video_file_url" in body:
            raise invalid("video_file_url", "The video file url cannot be changed; register a new video.")
        changes = validate_video_fields(body)
        merged = {**video, **changes}
        start, end = merged.get("start_offset_seconds"), merged.get("end_offset_seconds")
        if start is not None and end is not None and end <= start:
            raise invalid(
                "end_offset_seconds",
                "The end offset seconds field must be greater than start offset seconds.",
            )
        if changes:
            self.store.update_video(video_id, changes)
        return json_response({"data": self.video_json(request, self.store.video(video_id))})

    def delete_video(self, request: Request, holder: dict[str, Any], video_id: int) -> Response:
        self.own_video(holder, video_id)
        self.store.delete_video(video_id)
        return Response(status=204)

    # -- analyses -----------------------------------------------------------------------------------

    def create_analysis(self, request: Request, holder: dict[str, Any], video_id: int) -> Response:
        video = self.own_video(holder, video_id)
        body = read_json(request, required=False)
        fps = body.get("fps", 25)
        if fps != 25 or isinstance(fps, bool):
            raise invalid("fps", "The selected fps is invalid (only 25 is supported).")
        state = self.store.video_state(video)
        if state.status in ("error", "no_match_detected"):
            raise invalid("video", f"The video cannot be analysed: its status is {state.status}.")
        # A video still downloading has no known length yet; the analysis fails later if it is too short.
        if video["fetch"]["state"] == "ok" and trimmed_duration(video) < MIN_ANALYSABLE_SECONDS:
            raise invalid("video", "The video must be at least 10 minutes long.")
        analysis = self.store.add_analysis(holder["id"], video_id, fps=25)
        return json_response({"data": self.analysis_json(analysis)}, 201)

    def own_analysis(self, holder: dict[str, Any], analysis_id: int) -> dict[str, Any]:
        analysis = self.store.analysis(analysis_id, owner=holder["id"])
        if analysis is None:
            raise ApiError(404, "Analysis not found.")
        return analysis

    def get_analysis(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        return json_response({"data": self.analysis_json(self.own_analysis(holder, analysis_id))})

    def finished(self, holder: dict[str, Any], analysis_id: int):
        """Return (analysis, its state, the generated match) once results exist, else raise."""
        analysis = self.own_analysis(holder, analysis_id)
        state = self.store.analysis_state(analysis)
        if state.status == "error":
            raise ApiError(422, "The analysis failed and has no results.")
        if not state.results_available:
            raise ApiError(409, "The analysis results are not available yet.")
        video = self.store.video(analysis["video_id"])
        return analysis, state, self.match_for(video, analysis)

    def match_for(self, video: dict[str, Any], analysis: dict[str, Any]) -> matchdata.Match:
        home = video.get("home_team_name") or "Team A"
        away = video.get("away_team_name") or "Team B"
        # team_0 is the team that starts on the left: home unless left_start_team says away.
        team_0, team_1 = (away, home) if video.get("left_start_team") == "away" else (home, away)
        return matchdata.generate(
            video["id"], trimmed_duration(video), team_0, team_1, analysis["data_version"]
        )

    def events(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        _, _, match = self.finished(holder, analysis_id)
        return json_response(matchdata.public_events(match))

    def summary(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        analysis, state, match = self.finished(holder, analysis_id)
        video = self.store.video(analysis["video_id"])
        game_date = (
            dt.date.fromisoformat(video["date"])
            if video.get("date")
            else dt.datetime.fromtimestamp(video["created_at"], dt.UTC).date()
        )
        return json_response(
            matchdata.summary(
                match,
                video_id=video["id"],
                analysis_id=analysis["id"],
                game_date=game_date,
                version=analysis["algorithm_version"],
                generated_at=dt.datetime.fromtimestamp(state.finished_at or time.time(), dt.UTC),
            )
        )

    def schema(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        analysis, _, _ = self.finished(holder, analysis_id)
        return json_response(matchdata.schema(analysis["data_version"]))

    def query_intervals(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        analysis, _, match = self.finished(holder, analysis_id)
        body = read_json(request, required=False)
        try:
            intervals = query.run_query(
                body,
                match,
                video_id=analysis["video_id"],
                data_version=analysis["data_version"],
                algorithm=analysis["algorithm_version"],
            )
        except query.QueryError as exc:
            raise invalid(exc.field, exc.message) from None
        return json_response(intervals)

    def tracking(self, request: Request, holder: dict[str, Any], analysis_id: int) -> Response:
        analysis, _, match = self.finished(holder, analysis_id)
        fmt = request.args.get("format", "parquet")
        if fmt not in ("parquet", "json"):
            raise invalid("format", "The selected format is invalid (parquet or json).")
        if fmt == "parquet":
            # Writing Parquet needs pyarrow, which the sandbox does without.
            raise invalid("format", "The sandbox serves tracking only as format=json.")
        path = self.store.data_dir / "media" / f"tracking-{analysis['id']}.json"
        if not path.exists():
            rows = list(matchdata.tracking_rows(match, analysis["video_id"], TRACKING_SECONDS))
            tmp = path.with_suffix(".part")
            tmp.write_text(json.dumps(rows), encoding="utf-8")
            tmp.replace(path)
        return send_file(
            str(path),
            request.environ,
            mimetype="application/json",
            as_attachment=True,
            download_name=f"analysis-{analysis['id']}-tracking.json",
            conditional=True,
        )

    # -- control ------------------------------------------------------------------------------------

    def c_health(self, request: Request) -> Response:
        return json_response({"ok": True, "provider": "aiontheball", "step_seconds": self.store.step})

    def c_keyholders(self, request: Request) -> Response:
        if request.method == "GET":
            return json_response({"data": self.store.keyholders()})
        body = read_json(request, required=False)
        name, token = body.get("name") or "", body.get("token")
        if not isinstance(name, str) or (token is not None and (not isinstance(token, str) or not token)):
            raise ApiError(422, "name and token must be strings.")
        try:
            holder = self.store.create_keyholder(name=name, token=token)
        except ValueError as exc:
            raise ApiError(409, str(exc)) from None
        return json_response({"data": holder}, 201)

    def c_delete_keyholder(self, request: Request, keyholder_id: int) -> Response:
        if not self.store.delete_keyholder(keyholder_id):
            raise ApiError(404, "Key-holder not found.")
        return Response(status=204)

    def c_webhook(self, request: Request, keyholder_id: int) -> Response:
        url = None
        if request.method == "PUT":
            url = read_json(request, required=True).get("url")
            if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not is_local(url):
                # The sandbox talks to this machine only.
                raise invalid("url", "The webhook url must be an http(s) URL on localhost or 127.0.0.1.")
        if not self.store.set_webhook(keyholder_id, url):
            raise ApiError(404, "Key-holder not found.")
        return json_response({"data": {"keyholder_id": keyholder_id, "webhook_url": url}})

    def c_deliveries(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.webhooks.deliveries.clear()
            return Response(status=204)
        return json_response({"data": list(self.webhooks.deliveries)})

    def c_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            return json_response({"data": self.faults.reset().as_dict()})
        if request.method == "POST":
            try:
                faults = self.faults.set(read_json(request, required=True))
            except (TypeError, ValueError) as exc:
                raise ApiError(422, str(exc)) from None
            return json_response({"data": faults.as_dict()})
        return json_response({"data": self.faults.faults.as_dict()})

    def c_settings(self, request: Request) -> Response:
        """The page size of the video list (tests make it small to cover paging with a few videos)."""
        if request.method == "DELETE":
            self.page_size = DEFAULT_PER_PAGE
        elif request.method == "POST":
            size = read_json(request, required=True).get("page_size", DEFAULT_PER_PAGE)
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PER_PAGE:
                raise ApiError(422, f"page_size must be a whole number from 1 to {MAX_PER_PAGE}.")
            self.page_size = size
        return json_response({"data": {"page_size": self.page_size}})

    def c_reset(self, request: Request) -> Response:
        self.page_size = DEFAULT_PER_PAGE
        self.faults.reset()
        self.store.reset()
        self.webhooks.deliveries.clear()
        if self.demo_mode:
            demo.seed_demo(self.store)
        return json_response({"ok": True})

    def c_media(self, request: Request, video_id: int) -> Response:
        video = self.store.video(video_id)
        if video is None or self.store.video_state(video).status != "available":
            raise ApiError(404, "No video file.")
        fetched = video["fetch"].get("path")
        if fetched and (self.store.data_dir / fetched).exists():
            path = self.store.data_dir / fetched
        else:
            path = media.ensure_placeholder(
                self.store.data_dir / "media", trimmed_duration(video), seed=video_id
            )
        # conditional=True answers Range requests, so a <video> element can seek.
        return send_file(str(path), request.environ, mimetype="video/mp4", conditional=True)
