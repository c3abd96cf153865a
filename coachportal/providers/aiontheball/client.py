"""HTTP client for the AI on the Ball ("AIB Insight") API v1.

Plain Python over requests: the caller passes the organization's decrypted token in. Reads (GET) are
retried with backoff; writes are sent once, so a create is never duplicated by the client.

Reference: https://docs.aiontheball.nl/versions/v1/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any, TypedDict, Unpack
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import AiOnTheBallError, ProviderUnavailable, UnexpectedResponse, error_for_status
from .types import Analysis, Event, Interval, Schema, Summary, Video, VideoPage

DEFAULT_BASE_URL = "https://aiontheball.nl/api/v1"
# (connect, read) seconds; the summary is aggregated on request and can take several seconds.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
DEFAULT_READ_RETRIES = 3
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Stops a provider whose "next" link never ends from looping forever.
MAX_PAGES = 10_000
# Undocumented request parameters, off by default: the docs promise no paging parameter at all, and a
# strict server answers an unknown one with 400. `per_page` (a page size) is sent only when this is a
# number; `page=N` is built only when the list gives no `links.next` and this is True.
UNDOCUMENTED_PAGE_SIZE: int | None = None
UNDOCUMENTED_PAGE_NUMBERS = False
USER_AGENT = "coachportal (+aiontheball client)"


class VideoFields(TypedDict, total=False):
    """A video's metadata as registered or changed; a field given as None is not sent."""

    title: str | None
    home_team_name: str | None
    away_team_name: str | None
    date: dt.date | str | None
    start_offset_seconds: int | None
    end_offset_seconds: int | None
    left_start_team: str | None


VIDEO_FIELDS = tuple(VideoFields.__annotations__)


def _session(retry: Retry) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _video_fields(caller: str, values: VideoFields) -> dict[str, Any]:
    """The request body's metadata, in VIDEO_FIELDS order; a name that is not one is a TypeError."""
    unknown = sorted(set(values) - set(VIDEO_FIELDS))
    if unknown:
        raise TypeError(f"{caller}() got unexpected keyword arguments: {', '.join(unknown)}")
    body = {}
    for name in VIDEO_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        body[name] = value.isoformat() if isinstance(value, dt.date) else value
    return body


class AiOnTheBallClient:
    """Talk to the AI on the Ball API with one organization's token."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        read_retries: int = DEFAULT_READ_RETRIES,
        backoff_factor: float = 0.5,
    ) -> None:
        if not token:
            raise ValueError("An AI on the Ball API token is required.")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        # Only GET is idempotent here; every other method goes through a session that never retries.
        self._reads = _session(
            Retry(
                total=read_retries,
                connect=read_retries,
                read=read_retries,
                status=read_retries,
                other=0,
                allowed_methods=frozenset({"GET"}),
                status_forcelist=RETRY_STATUSES,
                backoff_factor=backoff_factor,
                backoff_max=10,
                raise_on_status=False,
                respect_retry_after_header=True,
            )
        )
        self._writes = _session(Retry(total=0, connect=0, read=0, status=0, other=0, raise_on_status=False))
        for session in (self._reads, self._writes):
            session.headers.update(headers)

    def close(self) -> None:
        self._reads.close()
        self._writes.close()

    def __enter__(self) -> AiOnTheBallClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- videos -------------------------------------------------------------------------------------

    def list_videos(self) -> VideoPage:
        """Read the first page of the organization's videos, sending no query parameter.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/ (no paging parameters
        are documented; later pages are reached through the list's own `links.next`).
        """
        params = {"per_page": UNDOCUMENTED_PAGE_SIZE} if UNDOCUMENTED_PAGE_SIZE else None
        return VideoPage.from_json(self._json("GET", "/videos", params=params))

    def next_video_page(self, page: VideoPage) -> VideoPage | None:
        """Read the page after `page`, or None after the last one.

        Follows the provider's own `links.next`. A list that says more pages exist but gives no link is
        an error (unless page numbers are switched on), so a caller never takes a cut-off list as whole.
        """
        if not page.videos or not page.has_next:
            return None
        if page.next_url:
            return VideoPage.from_json(self._json("GET", self._same_origin(page.next_url)))
        if not UNDOCUMENTED_PAGE_NUMBERS:
            raise UnexpectedResponse(
                "AI on the Ball says there are more videos but gives no link to the next page.",
                body=page.meta,
            )
        params = {"page": (page.current_page or 1) + 1}
        if UNDOCUMENTED_PAGE_SIZE:
            params["per_page"] = UNDOCUMENTED_PAGE_SIZE
        return VideoPage.from_json(self._json("GET", "/videos", params=params))

    def iter_video_pages(self) -> Iterator[VideoPage]:
        """Yield the list of videos page by page (one page in memory at a time)."""
        page: VideoPage | None = self.list_videos()
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            if page is None:
                return
            yield page
            if page.next_url:
                if page.next_url in seen:
                    return  # a "next" link that repeats itself would loop forever
                seen.add(page.next_url)
            page = self.next_video_page(page)

    def iter_videos(self) -> Iterator[Video]:
        """Yield every video, following the list's pagination to the end."""
        for page in self.iter_video_pages():
            yield from page.videos

    def create_video(self, video_file_url: str, **fields: Unpack[VideoFields]) -> Video:
        """Register a match video by a URL the provider can download; sent once, never retried.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/
        """
        body = {"video_file_url": video_file_url, **_video_fields("create_video", fields)}
        return Video.from_json(self._data("POST", "/videos", json=body))

    def get_video(self, video_id: int) -> Video:
        """Fetch one video with its status and analyses.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/
        """
        return Video.from_json(self._data("GET", f"/videos/{int(video_id)}"))

    def update_video(self, video_id: int, **fields: Unpack[VideoFields]) -> Video:
        """Change a video's metadata; only the fields given are sent.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/
        """
        body = _video_fields("update_video", fields)
        payload = self._json("PUT", f"/videos/{int(video_id)}", json=body)
        # The reply to PUT is undocumented: read the video back if it carried none.
        if not isinstance(payload, dict) or not isinstance(payload.get("data", payload), dict):
            return self.get_video(video_id)
        data = payload.get("data", payload)
        return Video.from_json(data) if "id" in data else self.get_video(video_id)

    def delete_video(self, video_id: int) -> None:
        """Delete a video and all its analyses (irreversible).

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/videos/
        """
        self._request("DELETE", f"/videos/{int(video_id)}")

    # -- analyses -----------------------------------------------------------------------------------

    def create_analysis(self, video_id: int, *, fps: int | None = None) -> Analysis:
        """Start an analysis of a video; sent once, never retried.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/create-analysis/
        """
        body = {} if fps is None else {"fps": fps}
        return Analysis.from_json(self._data("POST", f"/videos/{int(video_id)}/analysis", json=body))

    def get_analysis(self, analysis_id: int) -> Analysis:
        """Fetch an analysis with its status, progress and whether results are available.

        Reference: https://docs.aiontheball.nl/versions/v1/ (Quick Start: "poll the analysis endpoint")
        """
        return Analysis.from_json(self._data("GET", f"/analyses/{int(analysis_id)}"))

    def get_events(self, analysis_id: int) -> list[Event]:
        """Fetch every detected event of an analysis (times in seconds from the video start).

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/events/
        """
        return Event.list_from_json(self._json("GET", f"/analyses/{int(analysis_id)}/events"))

    def get_summary(self, analysis_id: int) -> Summary:
        """Fetch the match summary: possession, team and player figures.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/summary/
        """
        return Summary.from_json(self._json("GET", f"/analyses/{int(analysis_id)}/summary"))

    def get_schema(self, analysis_id: int) -> Schema:
        """Fetch what an analysis supports (data version, event types, filters, frame state).

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/schema/
        """
        return Schema.from_json(self._json("GET", f"/analyses/{int(analysis_id)}/schema"))

    def query_intervals(
        self,
        analysis_id: int,
        filters: list[dict[str, Any]],
        *,
        operator: str = "AND",
        pad_sec: int | None = None,
        gap_fill_sec: int | None = None,
        merge_results: bool | None = None,
        include_pixel_coords: bool | None = None,
        existing_filters: list[dict[str, Any]] | None = None,
    ) -> list[Interval]:
        """Ask the query engine for the time intervals matching the filters.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/query-intervals/
        """
        body: dict[str, Any] = {"operator": operator, "filters": filters}
        optional = {
            "pad_sec": pad_sec,
            "gap_fill_sec": gap_fill_sec,
            "merge_results": merge_results,
            "include_pixel_coords": include_pixel_coords,
            "existing_filters": existing_filters,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        path = f"/analyses/{int(analysis_id)}/query-intervals"
        return Interval.list_from_json(self._json("POST", path, json=body))

    def download_tracking(
        self, analysis_id: int, fileobj: IO[bytes], *, format: str = "parquet", chunk_size: int = 1 << 20
    ) -> int:
        """Stream the tracking export into fileobj and return the number of bytes written.

        Reference: https://docs.aiontheball.nl/versions/v1/endpoints/tracking/
        """
        path = f"/analyses/{int(analysis_id)}/tracking/download"
        response = self._request("GET", path, params={"format": format}, stream=True)
        written = 0
        try:
            for chunk in response.iter_content(chunk_size=chunk_size):
                fileobj.write(chunk)
                written += len(chunk)
        except requests.RequestException as exc:
            raise ProviderUnavailable(f"The tracking download broke off: {exc}") from exc
        finally:
            response.close()
        return written

    def check_token(self) -> None:
        """Make the cheapest authenticated call; raise TokenRejected if the provider refuses the token.

        The first page of the video list, with no query parameter: a page size is not documented, and a
        strict server answers an unknown parameter with 400, which would hide a working token.
        """
        self.list_videos()

    # -- plumbing -----------------------------------------------------------------------------------

    def _same_origin(self, url: str) -> str:
        """Follow a pagination link only on the base URL's host, so the token is never sent elsewhere.

        A link to another host is read on the base URL with the link's own query, unchanged: the client
        adds no parameter of its own.
        """
        base, link = urlsplit(self.base_url), urlsplit(url)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc):
            return url
        return f"{self.base_url}/videos" + (f"?{link.query}" if link.query else "")

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        stream: bool = False,
    ) -> requests.Response:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"
        write = method != "GET"
        session = self._writes if write else self._reads
        try:
            response = session.request(
                method, url, params=params, json=json, timeout=self.timeout, stream=stream
            )
        except requests.ConnectTimeout as exc:
            raise ProviderUnavailable(f"Could not reach AI on the Ball ({method} {path}): {exc}") from exc
        except requests.Timeout as exc:
            raise ProviderUnavailable(
                f"AI on the Ball did not answer in time ({method} {path}).", outcome_unknown=write
            ) from exc
        except requests.RequestException as exc:
            # With read retries, a last timeout arrives wrapped as a ConnectionError(MaxRetryError).
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            if isinstance(reason, TimeoutError | urllib3.exceptions.TimeoutError):
                raise ProviderUnavailable(
                    f"AI on the Ball did not answer in time ({method} {path}).", outcome_unknown=write
                ) from exc
            never_sent = isinstance(reason, urllib3.exceptions.NewConnectionError)
            raise ProviderUnavailable(
                f"Could not reach AI on the Ball ({method} {path}): {exc}",
                outcome_unknown=write and not never_sent,
            ) from exc
        if response.status_code >= 400:
            error = self._error_for(response, method, path)
            error.outcome_unknown = write and response.status_code >= 500
            raise error
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ProviderUnavailable(
                f"AI on the Ball answered {method} {path} with a body that is not JSON.",
                status_code=response.status_code,
                body=response.text[:500],
                outcome_unknown=method != "GET",  # it was done, but what it made is unknown
            ) from exc

    def _data(self, method: str, path: str, **kwargs: Any) -> Any:
        """Return the object inside the {"data": ...} envelope (or the body, if it has none)."""
        payload = self._json(method, path, **kwargs)
        if isinstance(payload, dict) and "data" in payload:
            return payload["data"]
        return payload

    @staticmethod
    def _error_for(response: requests.Response, method: str, path: str) -> AiOnTheBallError:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text[:500]
        default = f"AI on the Ball answered {response.status_code} to {method} {path}."
        return error_for_status(response.status_code, body, default_message=default)
