"""Background work of matches: register a match with AI on the Ball, then follow it to a finished analysis."""

from django_tasks import task


@task()
def register_match(match_id: int) -> str:
    """Send a new match to the provider, then start the chain of deferred polls; return its phase."""
    from .models import Match
    from .sync import poll_match, schedule_follow

    match = Match.objects.filter(pk=match_id).first()
    if match is None:
        return "gone"
    poll_match(match)
    schedule_follow(match)
    return match.phase


@task()
def follow_match(match_id: int, token: str = "") -> str:
    """Take one polling step; the scheduled chain (its token still current) schedules the next one."""
    from .models import Match
    from .sync import poll_match, schedule_follow

    match = Match.objects.filter(pk=match_id).first()
    if match is None:
        return "gone"
    poll_match(match)
    if token:
        current = Match.objects.filter(pk=match_id).values_list("poll_token", flat=True).first()
        if current == token:
            schedule_follow(match)
    return match.phase


@task()
def sync_match_history(organization_id: int, full: bool = False) -> str:
    """Mirror an organization's AI on the Ball videos as matches; return the outcome ("done", "busy", ...)."""
    from coachportal.organizations.models import Organization

    from .history import sync_history

    org = Organization.objects.filter(pk=organization_id).first()
    if org is None:
        return "gone"
    return sync_history(org, full=full).outcome
