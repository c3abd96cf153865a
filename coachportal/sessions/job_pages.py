"""The pages of a file the worker writes (a large CSV export, a PDF report): its progress and its download.

Both kinds are `BackgroundFile`s kept for their requester only; a view finds the job (scoped to the
organization and the requester) and hands it here with the templates and names of its own kind.
"""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_htmx.http import HttpResponseStopPolling

from .models import BackgroundFile


def requested_job(model: type[BackgroundFile], request, org, pk) -> BackgroundFile:
    """The job if this member asked for it: another member's job id is a missing page."""
    return get_object_or_404(model, organization=org, requested_by=request.user, pk=pk)


def progress_page(request, job: BackgroundFile, template: str, context: dict):
    """The job's page; its HTMX poll only reads, and is told to stop once the job has ended."""
    if request.htmx:
        response = render(request, f"{template}#progress", context)
        return response if job.in_progress else HttpResponseStopPolling(response.content)
    return render(request, template, context)


def download(
    request, job: BackgroundFile, *, gone_template: str, context: dict, status_url: str, content_type: str
):
    """The finished file (410 once expired; the progress page while it is not ready)."""
    if job.is_expired:
        return render(request, gone_template, context, status=410)
    if job.state != BackgroundFile.State.DONE or not job.file_name:
        return redirect(status_url)
    return FileResponse(
        default_storage.open(job.file_name),
        as_attachment=True,
        filename=job.file_name.rsplit("/", 1)[-1],
        content_type=content_type,
    )
