"""A worker killed (SIGKILL) while forwarding leaves a state the next run finishes exactly once.

The forwarding runs in real subprocesses sharing a SQLite file and a media directory, like a worker
dyno that is restarted: the first is killed mid-send, the second takes over the stale claim.
"""

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from tests.fixtures import processes
from tests.fixtures.processes import REPO_ROOT

pytestmark = pytest.mark.slow  # worker subprocesses and a 24 MB upload

SETTINGS = """
from tests.settings import *  # noqa
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
STORAGES = {{**STORAGES, "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}}}}
MEDIA_ROOT = {media!r}
AIKYNETIX_BASE_URL = {base_url!r}
UPLOAD_FORWARD_READ_TIMEOUT = 60
"""

WORKER = """
import json, os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "kill_settings"
sys.path[:0] = [{tmp!r}, {repo!r}]
import django
django.setup()
phase, key = sys.argv[1], sys.argv[2]
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from coachportal.uploads.models import STALE_CLAIM, Upload, storage_key

if phase == "setup":
    call_command("migrate", verbosity=0)
    from coachportal.athletes.models import Athlete
    from coachportal.organizations import credentials
    from coachportal.organizations.models import Organization
    org = Organization.objects.create(name="Killed", slug="killed")
    credentials.save_key(org, "aikynetix", api_key=key, label="", actor=None)
    athlete = Athlete.objects.create(organization=org, name="Val", aikynetix_user_id="val-01")
    content = b"\\x00\\x00\\x00\\x18ftypmp42" + b"\\x00" * (24 * 1024 * 1024)
    name = default_storage.save(storage_key(org, "mp4"), ContentFile(content))
    upload = Upload.objects.create(organization=org, athlete=athlete, provider_user_id="val-01",
        activity="running", title="Killed mid-send", original_filename="k.mp4", file=name, size=len(content))
    print(upload.pk, flush=True)
elif phase == "first":
    from requests_toolbelt.multipart import encoder
    original = encoder.MultipartEncoderMonitor.read
    def read(self, *args):
        data = original(self, *args)
        if self.bytes_read >= self.len:
            print("SENT", flush=True)
        elif self.bytes_read > self.len // 2:
            print("HALF", flush=True)
            time.sleep(0.3)  # hold the connection half-sent until the parent kills us
        return data
    encoder.MultipartEncoderMonitor.read = read
    from coachportal.uploads.forward import forward
    forward(int(sys.argv[3]))
    print("FINISHED", flush=True)
else:
    upload_id = int(sys.argv[3])
    # The restarted worker runs later than the stale-claim limit; move the claim back instead of waiting.
    Upload.objects.filter(pk=upload_id).update(claimed_at=timezone.now() - STALE_CLAIM * 2)
    from coachportal.uploads.tasks import forward_upload
    state = forward_upload.call(upload_id)
    upload = Upload.objects.get(pk=upload_id)
    print(json.dumps({{"state": state, "attempts": upload.attempts, "session": upload.external_session_id}}))
"""


def run(tmp_path, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, str(tmp_path / "worker.py"), *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def upstream_ids(sandbox, key):
    return [session["id"] for session in sandbox.stored_sessions(key, "val-01")]


def finish(process, seconds=120):
    """The process's output once it exits; it is stopped if it does not, or the test fails meanwhile."""
    try:
        return process.communicate(timeout=seconds)
    finally:
        processes.stop(process)


@pytest.mark.parametrize(
    "moment", ["HALF", "SENT"], ids=["killed-mid-body", "killed-after-body-before-answer"]
)
def test_a_worker_killed_mid_forward_is_finished_by_the_next_run_exactly_once(
    aikynetix_faults, tmp_path, moment
):
    sandbox = aikynetix_faults
    key = sandbox.create_key_holder(admin=True, users=[("val-01", "Val")], processing_seconds=60).key
    (tmp_path / "kill_settings.py").write_text(
        SETTINGS.format(
            db=str(tmp_path / "db.sqlite3"), media=str(tmp_path / "media"), base_url=sandbox.base_url
        )
    )
    (tmp_path / "worker.py").write_text(
        textwrap.dedent(WORKER.format(tmp=str(tmp_path), repo=str(REPO_ROOT)))
    )
    setup = run(tmp_path, "setup", key)
    out, err = finish(setup)
    assert setup.returncode == 0, err
    upload_id = out.strip().splitlines()[-1]
    if moment == "SENT":
        # The provider creates the session, then keeps the answer back until after the kill.
        sandbox.set_faults(hang_seconds=8, match="/management/sessions/", methods=["POST"], times=1)

    first = run(tmp_path, "first", key, upload_id)
    try:
        deadline = time.monotonic() + 120
        for line in first.stdout:
            if line.strip() == moment:
                if moment == "SENT":
                    time.sleep(1.0)  # let the sandbox finish reading the body and create the session
                first.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline
        first.wait(timeout=30)
    finally:
        processes.stop(first)
    assert first.returncode == -signal.SIGKILL

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        [(state,)] = db.execute("SELECT state FROM uploads_upload WHERE id = ?", (upload_id,))
    assert state == "sending"  # the dead worker's claim is still there
    sent_before = upstream_ids(sandbox, key)
    assert len(sent_before) == (1 if moment == "SENT" else 0)

    second = run(tmp_path, "second", key, upload_id)
    out, err = finish(second)
    assert second.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] in ("processing", "done")
    assert result["attempts"] == 2
    ids = upstream_ids(sandbox, key)
    assert ids == [result["session"]]  # exactly one session upstream
    if moment == "SENT":
        assert ids == sent_before  # found, not sent again
