"""Run the sandbox with werkzeug's threaded server until SIGTERM or Ctrl-C."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import API, SandboxApp


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        """Skip the per-request access log line."""


def serve(
    *,
    port: int,
    data_dir: Path,
    step_seconds: float = 2.0,
    demo: bool = False,
    host: str = "127.0.0.1",
    quiet: bool = False,
) -> None:
    """Serve the sandbox on host:port, blocking until stopped."""
    app = SandboxApp(Path(data_dir), step_seconds=step_seconds, demo_mode=demo)
    server = make_server(host, port, app, threaded=True, request_handler=QuietHandler if quiet else None)
    app.start_background()

    def stop(*_: object) -> None:
        # shutdown() blocks until serve_forever returns, so call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    print(f"AI on the Ball sandbox on http://{host}:{server.port}{API} (data in {data_dir})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.webhooks.stop.set()
        server.server_close()
        print("AI on the Ball sandbox stopped.", file=sys.stderr, flush=True)
