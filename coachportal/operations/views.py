"""Operator pages: site-wide, for staff only, and invisible (404) to everyone else."""

from functools import wraps

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .queue import LONG_RUNNING, RECENT, queue_status, short_age


def staff_only(view):
    """Answer 404 (not a login page, not 403) unless a staff member or superuser is signed in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@staff_only
def queue(request):
    status = queue_status()
    return render(
        request,
        "operations/queue.html",
        {
            "status": status,
            "oldest_waiting": short_age(status.oldest_waiting_age),
            "oldest_running": short_age(status.oldest_running_age),
            "long_running": short_age(LONG_RUNNING),
            "recent_hours": f"{RECENT.total_seconds() / 3600:g}",
        },
    )
