"""Upload benchmark: the portal receiving a big video and the worker forwarding it, against curl.

Web: a real multipart body is streamed from disk into Django's WSGI handler (the upload view with the
hashing, disk-backed handler). Worker: the forward task sends the stored file to the sandbox. curl
uploads the same file to the same sandbox in the same run. Prints the peak memory growth of each side
(traced Python allocations and RSS high-water mark) and the forward/curl throughput ratio.
Targets: growth under 50 MB each, throughput at least 0.8x curl.

    .venv/bin/python bench/upload_forward.py [--size-mb 1024] [--port N]

`--port` is the sandbox's port (default: a free one). Everything the run writes (the video, the request
body, the database, media and the sandbox's data) lives in one temporary directory, removed at the end,
SIGTERM included.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from aikynetix_upload import exit_on_sigterm, make_file, reset_rss_high_water, upload_with_curl

from tests.fixtures.aikynetix_sandbox import running_sandbox


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(fn):
    reset_rss_high_water()
    rss_before = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak / 2**20, rss_mb() - rss_before


def make_big_video(work: Path, size_mb: int) -> Path:
    """A real little MP4 (index first) padded with a `free` box to `size_mb`: the portal's probe reads the
    header and index of a whole, playable video, and the bytes to move are as many as asked."""
    from coachportal.matches.testvideos import make_video

    clip = make_video(work / "clip.mp4", seconds=0.4, faststart=True).read_bytes()
    video = work / "big.mp4"
    padding = work / "padding.bin"
    make_file(padding, size_mb)
    free_size = 16 + padding.stat().st_size  # a 64-bit size: the box header is 16 bytes
    with video.open("wb") as out, padding.open("rb") as pad:
        out.write(clip)
        out.write((1).to_bytes(4, "big") + b"free" + free_size.to_bytes(8, "big"))
        shutil.copyfileobj(pad, out, 8 * 2**20)
    padding.unlink()
    return video


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--port", type=int, default=0, help="the sandbox's port (default: a free one)")
    args = parser.parse_args()
    exit_on_sigterm()
    work = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    try:
        run(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, args) -> None:
    settings_py = work / "bench_settings.py"
    settings_py.write_text(
        "from tests.settings import *  # noqa\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
        f"'NAME': {str(work / 'db.sqlite3')!r}}}}}\n"
        "STORAGES = {**STORAGES, 'default': {'BACKEND': 'django.core.files.storage.FileSystemStorage'}}\n"
        f"MEDIA_ROOT = {str(work / 'media')!r}\nFILE_UPLOAD_TEMP_DIR = {str(work)!r}\n"
        "MAX_UPLOAD_MB = 100000\n"
        "ALLOWED_HOSTS = ['*']\nUPLOAD_FORWARD_READ_TIMEOUT = 600\n"
        "TASKS = {'default': {'BACKEND': 'django_tasks.backends.dummy.DummyBackend'}}\n"
    )
    sys.path.insert(0, str(work))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    video = make_big_video(work, args.size_mb)

    with running_sandbox(work / "sandbox", processing_seconds=600, port=args.port or None) as sandbox:
        holder = sandbox.create_key_holder(admin=True, users=[("bench-athlete", "Bench")])
        os.environ["AIKYNETIX_BASE_URL"] = sandbox.base_url
        import django

        django.setup()
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.management import call_command
        from django.test import Client
        from requests_toolbelt.multipart.encoder import MultipartEncoder

        from coachportal.athletes.models import Athlete
        from coachportal.organizations import credentials
        from coachportal.organizations.models import Membership, Organization, Role
        from coachportal.uploads.forward import forward
        from coachportal.uploads.models import Upload

        settings.AIKYNETIX_BASE_URL = sandbox.base_url
        call_command("migrate", verbosity=0)
        org = Organization.objects.create(name="Bench", slug="bench")
        from coachportal.accounts.models import User

        user = User.objects.create_user(email="bench@example.com", password="x" * 20)
        Membership.objects.create(user=user, organization=org, role=Role.ADMIN)
        credentials.save_key(org, "aikynetix", api_key=holder.key, label="", actor=None)
        athlete = Athlete.objects.create(organization=org, name="Bench", aikynetix_user_id="bench-athlete")

        # A logged-in session cookie, then the body written to disk once and streamed into the handler.
        client = Client()
        client.force_login(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        body_path = work / "body.bin"
        with video.open("rb") as handle:
            encoder = MultipartEncoder(
                [
                    ("target", "athlete"),
                    ("athlete", str(athlete.pk)),
                    ("activity", "running"),
                    ("videos", ("big.mp4", handle, "video/mp4")),
                ]
            )
            with body_path.open("wb") as out:
                while chunk := encoder.read(8 * 2**20):
                    out.write(chunk)
        handler = WSGIHandler()
        # Import the URLconf (and every view module it pulls in) now, as a served worker has by its
        # second request: the receive figure is the upload's, not the first request's imports.
        from django.urls import get_resolver

        assert get_resolver().url_patterns

        def receive():
            with body_path.open("rb") as body:
                environ = {
                    "REQUEST_METHOD": "POST", "PATH_INFO": "/o/bench/uploads/new/",
                    "SERVER_NAME": "localhost",
                    "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": body,
                    "CONTENT_TYPE": encoder.content_type, "CONTENT_LENGTH": str(body_path.stat().st_size),
                    "HTTP_COOKIE": cookie, "HTTP_HOST": "localhost", "HTTP_ACCEPT": "application/json",
                    "HTTP_X_CSRFTOKEN": "", "wsgi.errors": sys.stderr,
                }  # fmt: skip
                status = []
                response = handler(environ, lambda s, h, *a: status.append(s))
                try:
                    b"".join(response)
                finally:
                    response.close()  # as a WSGI server does: Django then closes the uploaded temp file
                return status[0]

        # The bench checks memory and speed, not CSRF: exempt the view for this process only.
        from django.middleware.csrf import CsrfViewMiddleware

        CsrfViewMiddleware.process_view = lambda *a, **k: None
        from django.views.decorators import csrf

        csrf.csrf_protect = lambda view: view
        import coachportal.uploads.views as views

        views.csrf_protect = lambda view: view

        status, web_s, web_traced, web_rss = measure(receive)
        upload = Upload.objects.get()
        print(
            f"web receive: {status}, {web_s:.2f} s, "
            f"traced peak {web_traced:.1f} MB, RSS growth {web_rss:.1f} MB"
        )

        _, fwd_s, fwd_traced, fwd_rss = measure(lambda: forward(upload.pk))
        upload.refresh_from_db()
        print(f"worker forward: state {upload.state}, {fwd_s:.2f} s ({args.size_mb / fwd_s:.0f} MiB/s), "
              f"traced peak {fwd_traced:.1f} MB, RSS growth {fwd_rss:.1f} MB")  # fmt: skip
        curl_s = upload_with_curl(sandbox, holder.key, "bench-athlete", video)
        print(f"curl: {curl_s:.2f} s ({args.size_mb / curl_s:.0f} MiB/s)")
        print(f"throughput ratio forward/curl: {curl_s / fwd_s:.2f}  (target >= 0.8)")
        ok = max(web_traced, web_rss) < 50 and max(fwd_traced, fwd_rss) < 50
        print(f"memory growth under 50 MB on both sides: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
