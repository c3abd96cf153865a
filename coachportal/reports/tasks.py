"""Background work of the reports: PDFs too slow to make within a request."""

from django_tasks import task

from . import jobs


@task()
def build_report(job_id: int) -> str:
    """Write an athlete's or a comparison's PDF to storage."""
    return jobs.run_report(job_id)
