"""Poster frames of analysed videos: one small JPEG per session, made once in the background.

A frame is asked for as soon as an analysed video appears: after each sync that wrote sessions (the
scheduled command's and the queued task's alike, through `mirror_updated`), and right after someone has
"Generate analysed video" made one (`queue_for_new_video`).
"""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from coachportal.videofiles.poster import PosterFailed, poster_jpeg

from . import services
from .models import Session

log = logging.getLogger(__name__)

BATCH = 20  # sessions per task run; the task queues the next run while some are left


def make_thumbnail(session: Session) -> bool:
    """Make and store the poster frame of one session; False if another worker has it or it failed.

    The attempt is claimed with a conditional UPDATE, so a frame is made once even with several workers,
    and a video that cannot be read is not tried again on every run.
    """
    claimed = Session.objects.filter(pk=session.pk, thumbnail="", thumbnail_tried_at__isnull=True).update(
        thumbnail_tried_at=timezone.now()
    )
    if claimed != 1:
        return False
    try:
        services.refresh_analyzed_video_url(session)  # a signed URL may have expired since the sync
        data = poster_jpeg(session.analyzed_video_url)
    except (services.ProviderActionFailed, PosterFailed) as exc:
        log.info("no poster frame for session %s: %s", session.pk, exc)
        return False
    # A random part in the name: the served file is cached as immutable, so a new frame gets a new name.
    name = default_storage.save(
        f"thumbnails/{session.organization_id}/{session.pk}-{secrets.token_hex(4)}.jpg", ContentFile(data)
    )
    Session.objects.filter(pk=session.pk).update(thumbnail=name)
    return True


def make_missing(organization_id: int) -> bool:
    """Make up to BATCH missing poster frames of one organization; return whether some are still missing."""
    todo = Session.objects.filter(organization_id=organization_id).without_thumbnail()
    for session in todo.order_by("-recorded_at")[:BATCH]:
        make_thumbnail(session)
    return todo.exists()


def queue_thumbnails(organization_id: int) -> None:
    """Queue the making of poster frames when some ready session of the organization has none yet."""
    if Session.objects.filter(organization_id=organization_id).without_thumbnail().exists():
        transaction.on_commit(lambda: make_thumbnails.enqueue(organization_id))


def queue_for_new_video(session: Session) -> None:
    """A session's analysed video was just made: queue its poster frame now (an earlier attempt, made
    without a readable video, is forgotten). A session that has a frame keeps it."""
    Session.objects.filter(pk=session.pk, thumbnail="").update(thumbnail_tried_at=None)
    transaction.on_commit(lambda: make_session_thumbnail.enqueue(session.pk))


@task()
def make_session_thumbnail(session_id: int) -> str:
    """Make one session's poster frame (queued when its analysed video was just made)."""
    session = Session.objects.filter(pk=session_id).exclude(analyzed_video_url="").first()
    if session is None:
        return "no video"
    return "made" if make_thumbnail(session) else "not made"


@task()
def make_thumbnails(organization_id: int) -> str:
    """Make a batch of missing poster frames; queue the next batch while some are left."""
    if make_missing(organization_id):
        queue_thumbnails(organization_id)
        return "more"
    return "done"
