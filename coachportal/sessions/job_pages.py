"""The pages of a file the worker writes (a large CSV export, a PDF report): its progress and its download.

Both kinds are `BackgroundFile`s kept for their requester only. Each kind names its model, templates,
progress page and content type once in a `JobPages`; its two views are that object's methods wrapped
in @org_view, so they receive (request, org, pk).
"""

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseStopPolling

from .models import BackgroundFile


@dataclass(frozen=True)
class JobPages:
    """One kind of worker-written file; its templates get the context {"org": org, "job": job}."""

    model: type[BackgroundFile]
    template: str  # the progress page, with a "progress" partial for the HTMX poll
    gone_template: str  # shown with status 410 once the file has expired
    status_url_name: str  # the progress page's URL name, taking (org slug, job pk)
    content_type: str

    def requested_job(self, request, org, pk) -> BackgroundFile:
        """The job if this member asked for it: another member's job id is a missing page."""
        return get_object_or_404(self.model, organization=org, requested_by=request.user, pk=pk)

    def progress(self, request, org, pk):
        """The job's page; its HTMX poll only reads, and is told to stop once the job has ended."""
        job = self.requested_job(request, org, pk)
        context = {"org": org, "job": job}
        if request.htmx:
            response = render(request, f"{self.template}#progress", context)
            return response if job.in_progress else HttpResponseStopPolling(response.content)
        return render(request, self.template, context)

    def download(self, request, org, pk):
        """The finished file (410 once expired; the progress page while it is not ready)."""
        job = self.requested_job(request, org, pk)
        if job.is_expired:
            return render(request, self.gone_template, {"org": org, "job": job}, status=410)
        if job.state != BackgroundFile.State.DONE or not job.file_name:
            return redirect(reverse(self.status_url_name, args=[org.slug, job.pk]))
        return FileResponse(
            default_storage.open(job.file_name),
            as_attachment=True,
            filename=job.file_name.rsplit("/", 1)[-1],
            content_type=self.content_type,
        )
