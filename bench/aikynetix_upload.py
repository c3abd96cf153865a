"""Upload benchmark: the AiKYNETIX client against curl, same ~500 MB file, same sandbox, same run.

Prints the client's peak memory growth (traced Python allocations and RSS high-water mark) and its
throughput as a ratio of curl's. Targets: growth under 30 MB, throughput at least 0.8x curl.

    .venv/bin/python bench/aikynetix_upload.py [--size-mb 500] [--rounds 2] [--port N]

`--port` is the sandbox's port (default: a free one). The test file lives in a temporary directory that
is removed at the end, whatever happens (SIGTERM included: it stops the sandbox and removes the directory).
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repo root

from tests.fixtures.aikynetix_sandbox import running_sandbox


def rss_high_water_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def reset_rss_high_water() -> None:
    """Bring the RSS high-water mark down to the current RSS (Linux 4.0+), so the growth measured next is
    the step's own peak and not hidden under an earlier one (writing the test file, encoding the body)."""
    with contextlib.suppress(OSError):  # elsewhere: the growth above the process's earlier peak
        Path("/proc/self/clear_refs").write_text("5")


def exit_on_sigterm() -> None:
    """Make SIGTERM (kill, timeout, a CI cancel) raise SystemExit, so every `finally` and `with` runs: the
    sandbox is stopped and the temporary directory removed, as on Ctrl-C. By default SIGTERM ends Python
    at once, leaving gigabytes in the temporary directory and the sandbox running."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def make_file(path: Path, size_mb: int) -> None:
    block = bytes(range(256)) * 4096  # 1 MiB
    with path.open("wb") as handle:
        for _ in range(size_mb):
            handle.write(block)


def upload_with_client(sandbox, key: str, user_id: str, video: Path) -> tuple[float, float, float]:
    """Return (seconds, traced peak MB, RSS high-water growth MB)."""
    client = sandbox.client(key, upload_timeout=(5.0, 600.0))
    reset_rss_high_water()
    rss_before = rss_high_water_mb()
    tracemalloc.start()
    started = time.perf_counter()
    result = client.upload_running(video, user_id=user_id, session_name="bench")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    client.delete_session(result.session_id)
    return elapsed, peak / 2**20, rss_high_water_mb() - rss_before


def upload_with_curl(sandbox, key: str, user_id: str, video: Path) -> float:
    url = f"{sandbox.base_url}/running/management/sessions/"
    started = time.perf_counter()
    output = subprocess.run(
        ["curl", "-sS", "--fail", "-H", f"API-KEY: {key}", "-F", f"user_id={user_id}",
         "-F", "session_name=bench", "-F", f"video=@{video};type=video/mp4", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    elapsed = time.perf_counter() - started
    session_id = __import__("json").loads(output)["session_id"]
    sandbox.client(key).delete_session(session_id)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="the sandbox's port (default: a free one)")
    args = parser.parse_args()
    exit_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="aikynetix-bench-") as tmp:
        video = Path(tmp) / "bench.mp4"
        make_file(video, args.size_mb)
        with running_sandbox(
            Path(tmp) / "sandbox", processing_seconds=3600, port=args.port or None
        ) as sandbox:
            org = sandbox.create_key_holder(users=[("bench-athlete", "Bench Athlete")])
            client_runs, curl_runs = [], []
            for _ in range(args.rounds):  # alternate so both see the same disk and cache conditions
                curl_runs.append(upload_with_curl(sandbox, org.key, "bench-athlete", video))
                client_runs.append(upload_with_client(sandbox, org.key, "bench-athlete", video))
    best_client = min(run[0] for run in client_runs)
    best_curl = min(curl_runs)
    traced = max(run[1] for run in client_runs)
    rss = max(run[2] for run in client_runs)
    print(f"file: {args.size_mb} MiB, rounds: {args.rounds}")
    print(f"client: best {best_client:.2f} s ({args.size_mb / best_client:.0f} MiB/s)")
    print(f"curl:   best {best_curl:.2f} s ({args.size_mb / best_curl:.0f} MiB/s)")
    print(f"throughput ratio client/curl: {best_curl / best_client:.2f}  (target >= 0.8)")
    print(f"client peak traced allocations: {traced:.1f} MiB; RSS high-water growth: {rss:.1f} MiB")
    print("memory target: growth < 30 MiB")


if __name__ == "__main__":
    main()
