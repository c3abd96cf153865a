"""The upload benchmarks clean up when they are stopped with SIGTERM (kill, timeout, a cancelled CI job):
the sandbox they started is stopped and their temporary directory, gigabytes at full size, is removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.processes import REPO_ROOT

pytestmark = pytest.mark.slow  # each case starts a Python, a sandbox and (for the forward bench) Django

WAIT_SECONDS = 120.0  # generous: the machine may be loaded


def processes_mentioning(text: str) -> list[int]:
    """Ids of the live processes whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(
                line for line in (entry / "status").read_text().splitlines() if line.startswith("State:")
            )
        except (OSError, StopIteration):
            continue  # gone meanwhile
        if text in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    "command",
    [
        ["bench/aikynetix_upload.py", "--size-mb", "1", "--rounds", "100000"],
        ["bench/upload_forward.py", "--size-mb", "20"],
    ],
    ids=["aikynetix_upload", "upload_forward"],
)
def test_sigterm_stops_the_sandbox_and_removes_the_temporary_files(tmp_path, command):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    bench = subprocess.Popen(
        [sys.executable, *command], cwd=REPO_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        # Stop it once its sandbox runs: the bench is then mid-run, with files written and a child to stop.
        deadline = time.monotonic() + WAIT_SECONDS
        while not processes_mentioning(f"--data-dir {tmp}"):
            assert bench.poll() is None, "the benchmark ended before its sandbox was seen"
            assert time.monotonic() < deadline, "the benchmark's sandbox did not start"
            time.sleep(0.05)
        assert list(tmp.iterdir()), "the benchmark wrote nothing to its temporary directory"
        bench.send_signal(signal.SIGTERM)
        returncode = bench.wait(timeout=WAIT_SECONDS)
        left_running = processes_mentioning(f"--data-dir {tmp}")
        left_files = sorted(path.name for path in tmp.iterdir())
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
        for pid in processes_mentioning(f"--data-dir {tmp}"):  # whatever it left, so no test leaks it
            os.kill(pid, signal.SIGKILL)

    assert left_running == []
    assert left_files == []
    assert returncode == 128 + signal.SIGTERM  # stopped by the signal, not finished
