"""What every handler of the sandbox shares: the error it raises and the JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response


class ApiError(Exception):
    """Answered as `{"error": message}` with `status`, the provider's documented error shape."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def json_body(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip() and empty_ok:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON body: expected an object")
    return body
