"""Background work of uploads: forwarding a stored video to the provider."""

import time
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .forward import forward


@task()
def forward_upload(upload_id: int) -> str:
    """Forward one upload, retrying transient failures with exponential backoff; return its state.

    With a backend that can defer (the database backend in production) a retry is a new task with
    `run_after`, so no worker sits sleeping and a restart cannot lose it. Backends that cannot defer
    (the immediate backend of the tests) wait in a bounded loop: MAX_ATTEMPTS caps it either way.
    """
    while True:
        outcome = forward(upload_id)
        if outcome.retry_in is None:
            return outcome.state
        backend = forward_upload.get_backend()
        if backend.supports_defer:
            run_after = timezone.now() + timedelta(seconds=outcome.retry_in)
            forward_upload.using(run_after=run_after).enqueue(upload_id)
            return outcome.state
        time.sleep(outcome.retry_in)
