"""Export benchmark: a coach exports every session of a large library through gunicorn and gets every row.

Run:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/export_large.py
    .venv/bin/python bench/export_large.py --sessions 60000      # SQLite (a temporary file)

It builds a fresh database as bench/concurrency.py does (a temporary SQLite file, or `test_<name>` next to
the DATABASE_URL's database, dropped at the end), loads an organization with N sessions (`--sessions`,
1,000,000 by default, with COPY on PostgreSQL), and starts the Procfile's processes with the production
settings (DEBUG off): gunicorn (`coachportal.wsgi -c gunicorn.conf.py`, its 30 s timeout) and one
`manage.py db_worker`, files kept in a temporary MEDIA_ROOT. Then, over HTTP, as a person would:

1. the coach logs in and asks for the library's CSV (`export.csv`): above EXPORT_STREAM_MAX_ROWS the answer
   is the "export in the background" page, never a stream that gunicorn's timeout could cut short;
2. posts that page's form, which queues the export, and follows its progress page until it says ready;
3. downloads the file through gunicorn and counts its lines and CSV records.

It prints the times of each step, the lines (the header plus one per session), and the worker's peak
memory (VmHWM). It exits 1 unless the file has exactly sessions + 1 lines.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import concurrency
import requests

REPO_ROOT = concurrency.REPO_ROOT


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    # The Procfile's worker command.
    with log_path.open("ab") as log:
        command = [sys.executable, "manage.py", "db_worker"]
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux's VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    if match is None:
        raise RuntimeError(f"no {name} field in:\n{page[:2000]}")
    return match.group(1)


def export_everything(base: str, slug: str, cookie: str, *, wait: float) -> dict:
    """Ask for the library's CSV, queue the background export, wait for it and download it."""
    with requests.Session() as browser:
        browser.cookies.set("sessionid", cookie, domain="127.0.0.1")
        library = f"{base}/o/{slug}/sessions/"
        t0 = time.perf_counter()
        offer = browser.get(f"{library}export.csv", timeout=120)
        offer.raise_for_status()
        if offer.headers.get("Content-Type", "").startswith("text/csv"):
            raise RuntimeError("the export streamed: raise --sessions above EXPORT_STREAM_MAX_ROWS")
        started = browser.post(
            f"{library}exports/",
            data={name: hidden(offer.text, name) for name in ("csrfmiddlewaretoken", "query")},
            headers={"Referer": offer.url},
            timeout=120,
            allow_redirects=False,
        )
        if started.status_code != 302:
            raise RuntimeError(f"queueing the export answered {started.status_code}")
        status_url = requests.compat.urljoin(base, started.headers["Location"])
        t1 = time.perf_counter()
        deadline = t1 + wait
        while True:
            try:
                page = browser.get(status_url, timeout=60).text
            except requests.RequestException:  # a busy machine: ask again
                page = ""
            if "Ready:" in page:
                break
            if 'role="alert"' in page.partition('id="export-progress"')[2]:  # the failed state's banner
                raise RuntimeError(f"the export failed:\n{page[:3000]}")
            if time.perf_counter() > deadline:
                raise RuntimeError("the export did not finish in time")
            time.sleep(2)
        t2 = time.perf_counter()
        lines = records = size = 0
        with browser.get(status_url.rstrip("/") + "/download/", timeout=120, stream=True) as download:
            download.raise_for_status()
            if not download.headers.get("Content-Disposition", "").startswith("attachment"):
                raise RuntimeError("the download is not an attachment")
            download.raw.decode_content = True
            counted = _Counting(download.raw)
            for _ in csv.reader(io.TextIOWrapper(counted, encoding="utf-8", newline="")):
                records += 1
            lines, size = counted.newlines, counted.size
        t3 = time.perf_counter()
    return {
        "offer_s": t1 - t0, "write_s": t2 - t1, "download_s": t3 - t2,
        "lines": lines, "records": records, "bytes": size,
    }  # fmt: skip


class _Counting(io.RawIOBase):
    """A readable stream that counts the bytes and newlines passing through it."""

    def __init__(self, raw):
        self.raw, self.size, self.newlines = raw, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.raw.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.size += len(chunk)
        self.newlines += chunk.count(b"\n")
        return len(chunk)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--wait", type=float, default=3600, help="seconds to wait for the worker's file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="export-bench-"))
    given_url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}"
    env = {**concurrency.production_env(given_url, work / "static", 2), "MEDIA_ROOT": str(work / "media")}
    os.environ.update({k: v for k, v in env.items() if k != "WEB_CONCURRENCY"})
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    email, password = "bench-coach@example.com", secrets.token_urlsafe(16)
    created_test_db = gunicorn = worker = None
    worker_peak = float("nan")
    try:
        server_url, created_test_db = concurrency.fresh_database(given_url)
        slug, loaded = concurrency.load_for_servers(
            args.sessions, email=email, password=password, vacuum=True
        )

        server_env = {**env, "DATABASE_URL": server_url}
        port = args.port or concurrency.free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = concurrency.start_gunicorn(server_env, port, work / "gunicorn.log")
        worker = start_worker(server_env, work / "worker.log")
        cookie = concurrency.log_in(base, email, password)
        result = export_everything(base, slug, cookie, wait=args.wait)
        worker_peak = peak_rss_mb(worker.pid)
    finally:
        for process in (worker, gunicorn):
            if process is not None:
                concurrency.stop(process)
        if created_test_db is not None:
            connection.close()
            connection.creation.destroy_test_db(created_test_db, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)

    expected = args.sessions + 1
    print(
        f"database: {connection.vendor}; {args.sessions:,} sessions (loaded in {loaded:.0f} s); "
        f"streamed up to {settings.EXPORT_STREAM_MAX_ROWS:,} rows; gunicorn timeout 30 s; "
        f"cores: {os.cpu_count()}"
    )
    print(f"export page: {result['offer_s']:.1f} s; the worker wrote the file in {result['write_s']:.0f} s")
    print(
        f"download through gunicorn: {result['bytes'] / 1e6:.0f} MB in {result['download_s']:.1f} s; "
        f"lines {result['lines']:,} (expected {expected:,}); CSV records {result['records']:,}"
    )
    print(f"worker peak memory (VmHWM): {worker_peak:.0f} MB")
    return 0 if result["lines"] == expected == result["records"] else 1


if __name__ == "__main__":
    sys.exit(main())
