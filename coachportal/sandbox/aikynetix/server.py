"""Command-line options and the threaded werkzeug server shared by `python -m` and `manage.py`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import SandboxApp
from .faults import Faults


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", default=".sandbox/aikynetix", help="SQLite file and videos live here")
    parser.add_argument(
        "--processing-seconds", type=float, default=10.0, help="seconds before a new session has results"
    )
    parser.add_argument("--demo", action="store_true", help="seed the demo key-holder, athletes and sessions")
    parser.add_argument(
        "--user-quota",
        type=int,
        default=None,
        help="clients each admin may create (404 'User creation limit reached' beyond); default: no limit",
    )
    parser.add_argument(
        "--render-on-demand",
        action="store_true",
        help="render each analysed video at its first download, not as soon as its session is done (tests)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log every request")
    faults = parser.add_argument_group("fault knobs (also settable at PUT /__sandbox__/faults)")
    faults.add_argument("--latency-ms", type=int, default=0)
    faults.add_argument("--error-rate", type=float, default=0.0, help="share of API requests answered 500")
    faults.add_argument("--reject-keys", action="store_true", help="answer 401 to every key")
    faults.add_argument("--hang-seconds", type=float, default=0.0, help="sleep this long before answering")
    faults.add_argument("--malformed-json", action="store_true")
    faults.add_argument("--drop-connection", action="store_true", help="close the socket mid-answer")
    faults.add_argument(
        "--drop-after-upload", action="store_true", help="create the uploaded session, then close unanswered"
    )
    faults.add_argument(
        "--drop-after-write", action="store_true", help="act on every POST/PUT/DELETE, then close unanswered"
    )


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def serve(options: dict[str, Any]) -> None:
    """Run the sandbox until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s aikynetix-sandbox %(levelname)s %(message)s")
    data_dir = Path(options["data_dir"])
    data_dir.mkdir(parents=True, exist_ok=True)
    faults = Faults(
        latency_ms=options["latency_ms"],
        error_rate=options["error_rate"],
        reject_keys=options["reject_keys"],
        hang_seconds=options["hang_seconds"],
        malformed_json=options["malformed_json"],
        drop_connection=options["drop_connection"],
        drop_after_upload=options["drop_after_upload"],
        drop_after_write=options.get("drop_after_write", False),
    )
    app = SandboxApp(
        data_dir,
        processing_seconds=options["processing_seconds"],
        faults=faults,
        user_quota=options.get("user_quota"),
        render_ahead=not options.get("render_on_demand", False),
    )
    if options["demo"]:
        app.seed_demo()
    app.start_background()
    handler = QuietHandler if options["quiet"] else WSGIRequestHandler
    server = make_server(options["host"], options["port"], app, threaded=True, request_handler=handler)
    print(f"AiKYNETIX sandbox on http://{options['host']}:{server.port} (data in {data_dir})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.stop()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m coachportal.sandbox.aikynetix", description=__doc__)
    add_arguments(parser)
    serve(vars(parser.parse_args(argv)))
