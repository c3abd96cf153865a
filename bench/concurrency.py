"""Concurrency benchmark: requests per second of the library page and of a trivial page through gunicorn.

Run:
    .venv/bin/python bench/concurrency.py                      # SQLite (a temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mine .venv/bin/python bench/concurrency.py

It builds a fresh database (a temporary SQLite file, or `test_<name>` next to the DATABASE_URL's database,
dropped at the end), loads an organization with N sessions (`--sessions`, 20,000 by default), collects
the static files, and starts gunicorn as the Procfile does (`coachportal.wsgi -c gunicorn.conf.py`, the
production settings with DEBUG off; LOCAL_PLAIN_HTTP=1 so plain http works on this machine; generated
secrets; WEB_CONCURRENCY workers, `--workers`). A coach logs in through the login form, then a bounded
load generator (threads, each with its own requests.Session and the coach's cookie, only 127.0.0.1)
requests, for a fixed time per step, the library page and the trivial page at 1, 8 and 32 clients.

The trivial page is /healthz: a real view through the whole middleware stack that runs one `SELECT 1`
and renders no template. It prints a table and the library/trivial ratio of each step.

The load generator runs on the same machine as gunicorn, so on few cores it takes CPU from the server:
compare figures from the same machine state, back to back.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def production_env(database_url: str, static_root: Path, workers: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coachportal.settings",
        "COACHPORTAL_SKIP_DOTENV": "1",
        "DEBUG": "0",
        "LOCAL_PLAIN_HTTP": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "EMAIL_CONSOLE_ALLOWED": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "WEB_CONCURRENCY": str(workers),
        "LOG_LEVEL": "WARNING",
    }


def load(sessions: int, *, email: str, password: str) -> str:
    """Create an organization with `sessions` sessions, a small second one and the coach; return the slug."""
    import benchdata

    from coachportal.organizations.models import Role
    from tests.factories import make_member, make_org, make_user

    coach = make_user(email, password=password, name="Bench Coach")
    orgs = []
    for name, count in (("Bench A", sessions), ("Bench B", 100)):
        org = make_org(name)
        make_member(org, Role.COACH, user=coach)  # two memberships: the switcher lists both
        benchdata.fill(org, count)
        orgs.append(org)
    return orgs[0].slug


def fresh_database(given_url: str) -> tuple[str, str | None]:
    """Migrate the SQLite file, or create a database of its own next to the given PostgreSQL one (the
    caller drops it at the end); return the URL the servers use and the created database's old name
    (None for SQLite)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        return given_url, None
    created = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    parts = urlsplit(given_url)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"])), created


def load_for_servers(sessions: int, *, email: str, password: str, vacuum: bool = False) -> tuple[str, float]:
    """Load the library (load), refresh PostgreSQL's statistics (and visibility map, with `vacuum`), collect
    the static files and close this process's connection; return the slug and the loading time."""
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    slug = load(sessions, email=email, password=password)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    loaded = time.perf_counter() - t0
    call_command("collectstatic", interactive=False, verbosity=0)
    connection.close()
    return slug, loaded


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    # The Procfile's web command, bound to this machine only.
    command = [sys.executable, "-m", "gunicorn", "coachportal.wsgi", "-c", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--forwarded-allow-ips", "*"]
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120  # generous: the machine may be busy
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200:
                    return process
            except requests.RequestException:  # not listening yet, or the worker still booting
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
    except BaseException:
        stop(process)  # the caller never gets the process, so it cannot stop it
        raise


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_in(base: str, email: str, password: str) -> str:
    """Log the coach in through the login form; return the session cookie's value."""
    with requests.Session() as browser:
        page = browser.get(f"{base}/accounts/login/", timeout=30)
        page.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = browser.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": email, "password": password},
            timeout=30,
            allow_redirects=False,
        )
        if response.status_code != 302 or "sessionid" not in browser.cookies:
            raise RuntimeError(f"login failed: {response.status_code}")
        return browser.cookies["sessionid"]


def run_step(url: str, cookie: str, clients: int, seconds: float) -> dict:
    """`clients` threads request `url` back to back for `seconds`; count what completed in the window."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    ready = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def client(index: int) -> None:
        with requests.Session() as browser:
            browser.cookies.set("sessionid", cookie, domain="127.0.0.1")
            browser.get(url, timeout=60)  # the connection is open before the clock starts
            ready.wait()
            while True:
                t0 = time.perf_counter()
                if t0 >= window["end"]:
                    return
                try:
                    response = browser.get(url, timeout=60)
                    ok = response.status_code == 200
                except requests.RequestException:
                    ok = False
                t1 = time.perf_counter()
                if t1 > window["end"]:
                    return  # finished after the window: not counted
                if ok:
                    latencies[index].append(t1 - t0)
                else:
                    errors[index] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    window["end"] = float("inf")
    ready.wait()
    started = time.perf_counter()
    window["end"] = started + seconds
    for thread in threads:
        thread.join(timeout=seconds + 120)
    done = [x for per_client in latencies for x in per_client]
    return {
        "rps": len(done) / seconds,
        "median_ms": statistics.median(done) * 1000 if done else float("nan"),
        "p95_ms": statistics.quantiles(done, n=20)[-1] * 1000 if len(done) > 1 else float("nan"),
        "errors": sum(errors),
    }


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 2))
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each step")
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]

    work = Path(tempfile.mkdtemp(prefix="concurrency-bench-"))
    given_url = os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}"
    env = production_env(given_url, work / "static", args.workers)
    os.environ.update({k: v for k, v in env.items() if k not in ("WEB_CONCURRENCY",)})
    import django

    django.setup()
    from django.db import connection

    email, password = "bench-coach@example.com", secrets.token_urlsafe(16)
    created_test_db = None
    gunicorn = None
    try:
        server_url, created_test_db = fresh_database(given_url)
        slug, loaded = load_for_servers(args.sessions, email=email, password=password)

        port = args.port or free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn = start_gunicorn({**env, "DATABASE_URL": server_url}, port, work / "gunicorn.log")
        cookie = log_in(base, email, password)
        pages = {"library": f"{base}/o/{slug}/sessions/", "trivial": f"{base}/healthz"}
        for url in pages.values():  # warm every worker: imports, templates, connections
            run_step(url, cookie, args.workers * 2, 2.0)
        results = {}
        for clients in client_counts:
            for name, url in pages.items():
                results[name, clients] = run_step(url, cookie, clients, args.seconds)
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        if created_test_db is not None:
            connection.close()
            connection.creation.destroy_test_db(created_test_db, verbosity=0)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"database: {connection.vendor}; {args.sessions:,} sessions (loaded in {loaded:.0f} s); "
        f"gunicorn workers: {args.workers}; {args.seconds:g} s per step; cores: {os.cpu_count()}; "
        f"load average before: {load_average_text()}"
    )
    print("trivial page: /healthz (whole middleware stack, one SELECT 1, no template);")
    print("library cost: trivial req/s / library req/s, how many trivial requests one library page costs")
    print(f"{'clients':>7}  {'library req/s':>13} {'median':>8} {'p95':>8}  {'trivial req/s':>13} "
          f"{'median':>8} {'p95':>8}  {'library cost':>15}")  # fmt: skip
    for clients in client_counts:
        lib, triv = results["library", clients], results["trivial", clients]
        print(
            f"{clients:>7}  {lib['rps']:>13.1f} {lib['median_ms']:>6.1f}ms {lib['p95_ms']:>6.1f}ms"
            f"  {triv['rps']:>13.1f} {triv['median_ms']:>6.1f}ms {triv['p95_ms']:>6.1f}ms"
            f"  {triv['rps'] / lib['rps'] if lib['rps'] else float('inf'):>14.1f}x"
        )
        if lib["errors"] or triv["errors"]:
            print(f"         errors: library {lib['errors']}, trivial {triv['errors']}")


_LOAD_AT_START = os.getloadavg()


def load_average_text() -> str:
    return " ".join(f"{x:.2f}" for x in _LOAD_AT_START)


if __name__ == "__main__":
    main()
