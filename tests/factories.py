"""Make the objects a test does not care about, with sensible defaults: the one set of factories.

Plain functions; a test passes only the fields it is about.
"""

import itertools
from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from coachportal.accounts.models import User
from coachportal.athletes.models import Athlete
from coachportal.organizations import credentials
from coachportal.organizations.models import Membership, Organization, Role
from coachportal.sessions import stored_metrics
from coachportal.sessions.metrics import key_metrics
from coachportal.sessions.models import Session
from coachportal.uploads.models import Upload, storage_key

PASSWORD = "a-long-test-password-42"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, name: str = "", password: str = PASSWORD) -> User:
    n = next(_seq)
    return User.objects.create_user(email=email or f"person{n}@example.com", password=password, name=name)


def make_org(name: str | None = None) -> Organization:
    name = name or f"Club {next(_seq)}"
    return Organization.objects.create(name=name, slug=Organization.unique_slug_for(name))


def make_member(
    org: Organization, role: str = Role.COACH, user: User | None = None, **user_kwargs
) -> Membership:
    return Membership.objects.create(organization=org, user=user or make_user(**user_kwargs), role=role)


def make_athlete(org: Organization, name: str = "Ada Runner", **fields) -> Athlete:
    return Athlete.objects.create(organization=org, name=name, **fields)


SESSIONS_BEFORE = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)  # make_session's n-th session is n days older
_sessions = itertools.count(1)


def make_session(org: Organization, *, store_metrics: bool = True, **fields) -> Session:
    """An analysed (ready) running session, with key metrics computed as a sync computes them.

    With `store_metrics=False` its SessionMetric rows (and the periods and medians summed from them) are
    left for the caller to write for many sessions at once, with stored_metrics.refresh(sessions).
    """
    n = next(_sessions)
    fields.setdefault("activity", "running")
    fields.setdefault("metrics", {"speed": [3.0, 3.2], "cadence": [170, 172]})
    values = {
        "external_id": f"ext-{n}",
        "title": f"Session {n}",
        "recorded_at": SESSIONS_BEFORE - timedelta(days=n),
        "status": "ready",
        "provider_user_id": "u-x",
        "provider_user_name": "X",
        "key_metrics": key_metrics(fields["activity"], fields["metrics"]),
        **fields,
    }
    session = Session.objects.create(organization=org, **values)
    if store_metrics:
        stored_metrics.refresh([session])
    return session


def make_jumps(org: Organization, athlete: Athlete, heights_by_days_ago) -> list[Session]:
    """A jump session of the athlete per (days ago, heights in metres), their key metrics stored at once
    as a sync stores them."""
    now = datetime.now(UTC)
    sessions = [
        make_session(
            org,
            athlete=athlete,
            activity="jumping",
            recorded_at=now - timedelta(days=days),
            metrics={
                "jump_height": heights,
                "rsi": [0.5] * len(heights),
                "contact_time": [0.25] * len(heights),
            },
            store_metrics=False,
        )
        for days, heights in heights_by_days_ago
    ]
    stored_metrics.refresh(sessions)
    return sessions


def connect_with_finished_sessions(org: Organization, sandbox, video, names, *, user=("u-ana", "Ana")):
    """Give `org` a sandbox admin key whose `user` has one finished running session per name, not synced.

    The caller points settings.AIKYNETIX_BASE_URL at the sandbox. Returns the sandbox key holder.
    """
    holder = sandbox.create_key_holder(admin=True, users=[user], processing_seconds=3600)
    credentials.save_key(org, "aikynetix", api_key=holder.key, label="", actor=None)
    with sandbox.client(holder.key) as client:
        for name in names:
            sandbox.complete_session(
                client.upload_running(video, user_id=user[0], session_name=name).session_id
            )
    return holder


def connect_with_jump_without_video(org: Organization, sandbox, video) -> str:
    """Give `org` a sandbox admin key with one finished jump session whose analysed video was never made
    (the provider makes it when asked), not synced; return the session's provider id. The caller points
    settings.AIKYNETIX_BASE_URL at the sandbox."""
    holder = sandbox.create_key_holder(
        admin=True, users=[("u-j", "Jo")], processing_seconds=3600, auto_analyzed_video=False
    )
    credentials.save_key(org, "aikynetix", api_key=holder.key, label="", actor=None)
    with sandbox.client(holder.key) as client:
        session_id = client.upload_jumping(video, user_id="u-j", session_name="Jumps").session_id
    sandbox.complete_session(session_id)
    return session_id


MP4_STUB = b"\x00\x00\x00\x18ftypmp42"  # an MP4's first box: enough for what does not probe the file


def make_upload(
    org: Organization, athlete: Athlete | None = None, content: bytes = MP4_STUB, **fields
) -> Upload:
    """A stored upload of `content` for `athlete` (or the key-holder's own account when None)."""
    name = default_storage.save(storage_key(org, "mp4"), ContentFile(content))
    values = {
        "activity": "running",
        "title": "Tempo run",
        "original_filename": "tempo.mp4",
        "provider_user_id": athlete.aikynetix_user_id if athlete else "",
        "target": "athlete" if athlete else "own",
        "size": len(content),
        **fields,
    }
    return Upload.objects.create(organization=org, athlete=athlete, file=name, **values)
