"""Three real `db_worker` processes share the PostgreSQL queue, as three worker dynos would.

100 uploads (real little videos, each queued twice) and 10 syncs of each of 3 organizations are
queued; one worker is killed (SIGKILL) in the middle of a forward. Then:
- every upload reaches AiKYNETIX exactly once: the sandbox's own store holds exactly our 100 sessions;
- an organization is synced by one worker at a time: every sync claim taken and given back is noted
  with its time by a test-only app loaded into the workers, and no two claims of an organization overlap;
- nothing is lost: the two remaining workers, with the scheduler's recovery jobs
  (`forward_pending_uploads`, `sync_sessions --enqueue`), finish everything, and `queue_status` shows
  the task the killed worker left behind.
PostgreSQL only: the subprocesses must see the test's rows (a live database, `transaction=True`), and
SQLite is the single-process embedded default.
"""

import itertools
import json
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import AuditEvent
from coachportal.sessions.models import SyncState
from coachportal.sessions.tasks import sync_sessions
from coachportal.uploads import services
from coachportal.uploads.models import Upload
from coachportal.uploads.tasks import forward_upload
from tests.factories import make_org
from tests.fixtures.aikynetix_sandbox import REPO_ROOT
from tests.integration.test_deploy import procfile_command
from tests.integration.test_uploads_forward import make_upload
from tests.videos import tiny_mp4

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="several db_worker processes need the PostgreSQL queue (run with DATABASE_URL=postgres://...)",
    ),
]

ORGS = 3
UPLOADS = 100
SYNCS_PER_ORG = 10
WORKERS = 3
KILL_AFTER_FORWARDED = 30  # uploads forwarded before one worker is killed
START_DEADLINE = 120.0  # seconds; generous for a loaded machine
RUN_DEADLINE = 600.0
SCHEDULER_TICKS = 4  # runs of the scheduler jobs allowed to finish what the killed worker left

SETTINGS = """
from tests.settings import *  # noqa: F403
from tests.settings import DATABASES, INSTALLED_APPS, STORAGES

DATABASES["default"]["NAME"] = {db_name!r}  # the test database, where the test's rows are
STORAGES = {{**STORAGES, "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}}}}
MEDIA_ROOT = {media!r}
AIKYNETIX_BASE_URL = {base_url!r}
TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend"}}}}
INSTALLED_APPS = [*INSTALLED_APPS, "claim_probe.ClaimProbe"]
CLAIM_PROBE_LOG = {claims!r}
"""

CLAIM_PROBE = '''
"""Test-only app: note each sync claim taken and given back, with the time, for the overlap check."""
import json, os, time
from django.apps import AppConfig
from django.conf import settings


def note(event, state, token):
    line = json.dumps({"event": event, "org": state.organization_id, "token": token,
                       "pid": os.getpid(), "at": time.time()})
    with open(settings.CLAIM_PROBE_LOG, "a") as log:
        log.write(line + "\\n")


class ClaimProbe(AppConfig):
    name = "claim_probe"

    def ready(self):
        from coachportal.sessions import claims
        claim, release = claims.claim, claims.release

        def probed_claim(state, **kwargs):
            token = claim(state, **kwargs)
            if token:
                note("claim", state, token)  # after the claim is taken
            return token

        def probed_release(state, token, **kwargs):
            note("release", state, token)  # before it is given back
            release(state, token, **kwargs)

        claims.claim, claims.release = probed_claim, probed_release
'''


class Workers:
    """The Procfile's `worker` command, started several times against the test database."""

    def __init__(self, tmp_path: Path, *, base_url: str):
        self.tmp = tmp_path
        self.claims = tmp_path / "claims.jsonl"
        self.claims.touch()
        (tmp_path / "multi_worker_settings.py").write_text(
            SETTINGS.format(
                db_name=connection.settings_dict["NAME"],
                media=str(tmp_path / "media"),
                base_url=base_url,
                claims=str(self.claims),
            )
        )
        (tmp_path / "claim_probe.py").write_text(CLAIM_PROBE)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "multi_worker_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO_ROOT)]),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def start(self, count: int) -> list[str]:
        command = shlex.split(procfile_command("worker"))
        for n in range(count):
            worker_id = f"w{n}-{uuid.uuid4().hex[:8]}"
            self.logs[worker_id] = self.tmp / f"{worker_id}.log"
            with self.logs[worker_id].open("wb") as log:
                self.procs[worker_id] = subprocess.Popen(
                    [*command, "--worker-id", worker_id, "--interval", "0.2", "--no-startup-delay"],
                    cwd=REPO_ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        return list(self.procs)

    def wait_until_started(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        waiting = set(self.procs)
        while waiting:
            for worker_id in list(waiting):
                if self.procs[worker_id].poll() is not None:
                    raise AssertionError(f"worker {worker_id} exited:\n{self.log(worker_id)}")
                if "Starting worker" in self.log(worker_id):
                    waiting.discard(worker_id)
            assert time.monotonic() < deadline, f"workers {sorted(waiting)} did not start:\n{self.tails()}"
            time.sleep(0.2)

    def kill(self, worker_id: str) -> float:
        self.procs[worker_id].send_signal(signal.SIGKILL)
        self.procs[worker_id].wait(timeout=30)
        return time.time()

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def log(self, worker_id: str) -> str:
        return self.logs[worker_id].read_text(errors="replace")

    def tails(self) -> str:
        return "\n".join(f"--- {w}\n{self.log(w)[-3000:]}" for w in self.procs)

    def alive(self) -> list[str]:
        return [w for w, proc in self.procs.items() if proc.poll() is None]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()  # db_worker finishes its current task on SIGTERM, as on a dyno restart
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)

    def claim_intervals(self, *, killed_pid: int, killed_at: float) -> dict[int, list[tuple]]:
        """Per organization: (taken, given back, pid) of every sync claim, ordered by when it was taken.

        A claim the killed worker never gave back ends when it died (its holder did no more work).
        """
        events = [json.loads(line) for line in self.claims.read_text().splitlines() if line]
        taken = {e["token"]: e for e in events if e["event"] == "claim"}
        given_back = {e["token"]: e["at"] for e in events if e["event"] == "release"}
        intervals = defaultdict(list)
        for token, claim in taken.items():
            end = given_back.get(token)
            if end is None:
                assert claim["pid"] == killed_pid, f"a live worker never gave back sync claim {claim}"
                end = killed_at
            intervals[claim["org"]].append((claim["at"], end, claim["pid"]))
        return {org: sorted(spans) for org, spans in intervals.items()}


def poll(condition, *, deadline: float, what: str, sleep: float = 0.25, details=lambda: ""):
    while True:
        try:
            value = condition()
        except Exception:  # a busy database or sandbox: look again
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}\n{details()}")
        time.sleep(sleep)


def sandbox_sessions(sandbox, key: str) -> list[tuple[str, str]]:
    """(id, title) of every session the sandbox holds for a key, read from its own store."""
    with sqlite3.connect(f"file:{sandbox.data_dir / 'aikynetix.sqlite3'}?mode=ro", uri=True) as db:
        return sorted(db.execute("SELECT id, title FROM sessions WHERE api_key = ?", (key,)).fetchall())


def unfinished_tasks(*, except_worker: str) -> int:
    """Tasks waiting (now or later) or running, other than the ones the killed worker left RUNNING."""
    return (
        DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])
        .exclude(status="RUNNING", worker_ids__contains=[except_worker])
        .count()
    )


@pytest.fixture
def portal(settings, tmp_path, aikynetix_faults):
    """This process writes to the same database queue and the same media folder as the workers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.AIKYNETIX_BASE_URL = aikynetix_faults.base_url
    return aikynetix_faults


def test_three_workers_forward_every_upload_once_sync_one_org_at_a_time_and_survive_a_kill(portal, tmp_path):
    sandbox = portal
    orgs, keys, athletes = [], {}, {}
    for n in range(ORGS):
        org = make_org(f"Club {n}")
        holder = sandbox.create_key_holder(
            admin=True, users=[(f"club{n}-a", "Ana"), (f"club{n}-b", "Ben")], processing_seconds=1
        )
        credentials.save_key(org, "aikynetix", api_key=holder.key, label="", actor=None)
        keys[org.pk] = holder.key
        athletes[org.pk] = [
            Athlete.objects.create(organization=org, name=name, aikynetix_user_id=user_id)
            for user_id, name in [(f"club{n}-a", "Ana"), (f"club{n}-b", "Ben")]
        ]
        orgs.append(org)
    # Each answer to an upload comes 0.3 s after the session exists upstream: a kill in that window is
    # the worst case (sent, but the worker never heard back).
    sandbox.set_faults(hang_seconds=0.3, match="/management/sessions/", methods=["POST"])

    workers = Workers(tmp_path, base_url=sandbox.base_url)
    try:
        victim, *_ = workers.start(WORKERS)
        workers.wait_until_started()
        deadline = time.monotonic() + RUN_DEADLINE

        # Queue: 10 syncs of each organization in a row (free workers take them at the same moment),
        # then 100 uploads round the organizations.
        for org in orgs:
            for _ in range(SYNCS_PER_ORG):
                sync_sessions.enqueue(org.pk, False)
        video = tiny_mp4()
        for n in range(UPLOADS):
            org = orgs[n % ORGS]
            athlete = athletes[org.pk][n % 2]
            upload = make_upload(
                org, athlete, video, title=f"Club clip {n:03d}", original_filename="clip.mp4"
            )
            services.enqueue_forward(upload)  # on commit: at once here (autocommit)
            # A second task for the same upload, as a scheduler re-queue or a second click can leave:
            # two workers may run both at once, and the upload's claim must let only one send.
            forward_upload.enqueue(upload.pk)

        # Kill one worker in the middle of a forward, once a good part of the uploads went through.
        def forwarded() -> int:
            return Upload.objects.filter(state__in=(*Upload.FORWARDED, Upload.State.DONE)).count()

        poll(
            lambda: forwarded() >= KILL_AFTER_FORWARDED,
            deadline=deadline,
            what=f"{KILL_AFTER_FORWARDED} forwarded uploads",
            details=workers.tails,
        )

        def victim_mid_send():
            running = DBTaskResult.objects.filter(
                status="RUNNING", worker_ids__contains=[victim], task_path__endswith=".forward_upload"
            ).first()
            if running is None:
                return None
            upload_id = running.args_kwargs["args"][0]
            sending = Upload.objects.filter(pk=upload_id, state=Upload.State.SENDING).exists()
            return (running, upload_id) if sending else None

        killed_task, killed_upload = poll(
            victim_mid_send, deadline=deadline, what="the worker to be mid-send", sleep=0.02
        )
        victim_pid = workers.procs[victim].pid
        killed_at = workers.kill(victim)
        assert len(workers.alive()) == WORKERS - 1

        # The two others work the queue down; only what the dead worker held is left over.
        def settled() -> bool:
            if unfinished_tasks(except_worker=victim):
                return False
            time.sleep(1.0)  # and still nothing a moment later
            return unfinished_tasks(except_worker=victim) == 0

        poll(settled, deadline=deadline, what="the queue to drain", details=workers.tails)
        left_over = Upload.objects.exclude(state__in=[Upload.State.PROCESSING, Upload.State.DONE])
        assert set(left_over.values_list("pk", flat=True)) <= {killed_upload}
        # What the kill left: sending (mid-send), sent (answered, not linked) or already processing.
        left_state = Upload.objects.get(pk=killed_upload).state
        print(f"the killed worker left upload {killed_upload} {left_state}")  # with -s or on failure
        orphan = DBTaskResult.objects.get(pk=killed_task.pk)
        assert orphan.status == "RUNNING"  # nobody will finish this row: the scheduler recovers the work
        status = workers.manage("queue_status")
        assert "waiting: 0\n" in status
        assert "running: 1\n" in status, status  # the operator sees the killed worker's task

        # The scheduler's jobs, run as they would be some minutes later (claims older than the limits).
        for _ in range(SCHEDULER_TICKS):
            if not Upload.objects.exclude(state=Upload.State.DONE).exists():
                break
            later = timezone.now() - timedelta(minutes=20)
            Upload.objects.filter(state__in=[Upload.State.STORED, Upload.State.SENT]).update(updated_at=later)
            Upload.objects.filter(state=Upload.State.SENDING).update(updated_at=later, claimed_at=later)
            SyncState.objects.filter(claimed_at__isnull=False).update(claimed_at=later)
            time.sleep(1.5)  # let the sandbox finish processing the last sessions
            workers.manage("forward_pending_uploads")
            workers.manage("sync_sessions", "--enqueue")
            poll(settled, deadline=deadline, what="the recovery to finish", details=workers.tails)

        states = Counter(Upload.objects.values_list("state", flat=True))
        assert states == {Upload.State.DONE: UPLOADS}, states
    finally:
        workers.stop()
        sandbox.reset_faults()

    # Exactly once: the provider holds exactly our sessions, one per upload, under the right ids.
    for org in orgs:
        ours = sorted(Upload.objects.filter(organization=org).values_list("external_session_id", "title"))
        assert sandbox_sessions(sandbox, keys[org.pk]) == ours
    assert len({u.external_session_id for u in Upload.objects.all()}) == UPLOADS
    attempts = dict(Upload.objects.values_list("pk", "attempts"))
    # Left sending: the dead try, then the scheduler's, which looked upstream before sending. Left sent
    # or later: the one try reached the provider, and the scheduler's run only linked it.
    assert attempts.pop(killed_upload) == (2 if left_state == Upload.State.SENDING else 1), left_state
    assert set(attempts.values()) == {1}
    assert Counter(
        AuditEvent.objects.filter(verb="upload.forwarded").values_list("object_id", flat=True)
    ) == {str(pk): 1 for pk in Upload.objects.values_list("pk", flat=True)}

    # One sync per organization at a time, although the workers often tried at the same moment.
    intervals = workers.claim_intervals(killed_pid=victim_pid, killed_at=killed_at)
    assert set(intervals) == {org.pk for org in orgs}
    for org_id, spans in intervals.items():
        for (_, given_back, holder), (taken, _, taker) in itertools.pairwise(spans):
            assert taken > given_back, f"org {org_id}: pid {taker} claimed while pid {holder} still held it"
    outcomes = Counter(
        r.return_value
        for r in DBTaskResult.objects.filter(task_path__endswith=".sync_sessions", status="SUCCESSFUL")
    )
    print(f"sync outcomes {dict(outcomes)}")
    assert outcomes["busy"] > 0, outcomes  # the claim really turned concurrent syncs away
    assert outcomes["done"] >= ORGS * SYNCS_PER_ORG // 2, outcomes
    assert len({pid for spans in intervals.values() for *_, pid in spans}) >= 2  # several workers synced
