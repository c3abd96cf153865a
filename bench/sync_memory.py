"""Benchmark: peak memory, requests and time of a first (full) library sync of a large AiKYNETIX account.

Run:
    .venv/bin/python bench/sync_memory.py                      # 1k, 10k and 30k sessions, SQLite
    .venv/bin/python bench/sync_memory.py --sessions 1000 100000
    .venv/bin/python bench/sync_memory.py --athletes 300     # the 300 users on the roster: linked sessions
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/sync_memory.py

For each size it fills a fresh sandbox data dir with that many analysed sessions (written straight into
the sandbox's store, with the metrics the sandbox generates), starts the sandbox on a free port, and runs
the sync in a separate Python process against a fresh test database. That process reports its own peak
resident memory (ru_maxrss, which includes Django and the libraries: the figure a dyno sees), the
requests it made, the time taken and its own CPU time in the sync (steadier than the time on a busy
machine; the database's work is not in it). With --athletes, that many of the 300 users are on the roster
first, so their sessions are linked and summed up per week and month too. Target: peak under 150 MB at
every size, time linear in sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fixtures import processes  # noqa: E402
from tests.fixtures.processes import free_port  # noqa: E402

KEY = "bench-sync-key"
ACTIVITIES = ["running", "jumping", "weightlifting"]
FIELDS = {
    "running": {"incline_degree": 0},
    "jumping": {"exercise": "Countermovement Jump"},
    "weightlifting": {"exercise_name": "Snatch", "barbell_mass": 60},
}


def fill_store(data_dir: Path, count: int) -> None:
    from coachportal.sandbox.aikynetix import metrics
    from coachportal.sandbox.aikynetix.store import COMPLETED, KeyHolder, SessionRow, Store

    store = Store(data_dir, processing_seconds=0)
    store.add_key_holder(
        KeyHolder(KEY, "Bench club", True, True, owner_user_id="bench-owner", owner_user_name="Owner")
    )
    start = datetime(2024, 1, 1, tzinfo=UTC)
    store._db.execute("BEGIN")  # one transaction: the fill is set-up, not what is measured
    for n in range(count):
        activity = ACTIVITIES[n % 3]
        session_id = f"bench{n:07d}"
        store.add_session(
            SessionRow(
                id=session_id,
                api_key=KEY,
                activity=activity,
                title=f"{activity.title()} {n}",
                user_id=f"user-{n % 300}",
                user_name=f"Athlete {n % 300}",
                user_status="active",
                uploaded_by="bench-owner",
                created_at=start + timedelta(minutes=n),
                uploaded_at=0.0,
                fields=FIELDS[activity],
                video_file=None,
                state=COMPLETED,
                results=metrics.generate(session_id, activity, FIELDS[activity]),
                analyzed=True,
            )
        )
    store._db.execute("COMMIT")


SYNC_CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django
django.setup()
import requests
from django.db import connection
from django.test.utils import override_settings

sent = 0
real_send = requests.Session.send
def counting_send(self, *args, **kwargs):
    global sent
    sent += 1
    return real_send(self, *args, **kwargs)
requests.Session.send = counting_send

old = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
try:
    from coachportal.organizations.credentials import save_key
    from coachportal.organizations.models import Provider
    from coachportal.sessions.models import Session
    from coachportal.sessions.sync import sync_organization
    from coachportal.athletes.models import Athlete
    from tests.factories import make_org
    # Tasks the sync queues (poster frames, ...) run in the worker, not in the sync: the test settings'
    # immediate backend would run them inline here and time them as the sync's.
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(AIKYNETIX_BASE_URL=sys.argv[1], TASKS=dummy):
        org = make_org("Bench sync")
        save_key(org, Provider.AIKYNETIX, api_key=sys.argv[2], label="bench", actor=None)
        for n in range(int(sys.argv[3])):
            Athlete.objects.create(organization=org, name=f"Athlete {n}", aikynetix_user_id=f"user-{n}")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0, c0 = time.perf_counter(), time.process_time()
        result = sync_organization(org, full=True)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        stored = Session.objects.filter(organization=org).count()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"outcome": result.outcome, "error": result.error, "stored": stored, "requests": sent,
                      "seconds": seconds, "cpu": cpu, "peak_kib": peak, "before_kib": before}))
finally:
    connection.creation.destroy_test_db(old, verbosity=0)
"""


def run_size(count: int, athletes: int = 0) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        data_dir = Path(tmp)
        fill_store(data_dir, count)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "coachportal.sandbox.aikynetix", "--port", str(port)]
        with processes.running(
            [*command, "--data-dir", str(data_dir)],
            name="the AiKYNETIX sandbox",
            health_url=base_url + "/__sandbox__/health",
            log_path=data_dir / "sandbox.log",
        ):
            child = subprocess.run(
                [sys.executable, "-c", SYNC_CHILD, base_url, KEY, str(athletes)],
                cwd=ROOT, capture_output=True, text=True, timeout=3600, env={**os.environ},
            )  # fmt: skip
            lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
            if child.returncode or not lines:
                raise RuntimeError(f"the sync process failed:\n{child.stderr[-3000:]}")
            return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_000, 10_000, 30_000])
    parser.add_argument("--athletes", type=int, default=0, help="users on the roster (of 300)")
    args = parser.parse_args()
    database = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    print(f"first full sync of one organization ({args.athletes} athletes on the roster); db: {database}")
    columns = ("sessions", "outcome", "stored", "requests", "seconds", "ms/session", "peak MB", "cpu s")
    widths = (9, 8, 8, 9, 8, 10, 8, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    for count in args.sessions:
        r = run_size(count, args.athletes)
        print(
            f"{count:>9,} {r['outcome']:>8} {r['stored']:>8,} {r['requests']:>9,} {r['seconds']:>8.1f}"
            f" {r['seconds'] * 1000 / count:>10.2f} {r['peak_kib'] / 1024:>8.0f} {r['cpu']:>8.1f}"
            + (f"  {r['error']}" if r["error"] else "")
        )


if __name__ == "__main__":
    main()
