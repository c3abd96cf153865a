from .access import ORG_SESSION_KEY
from .models import Membership


def organizations(request):
    """Give every page the signed-in user's memberships, for the organization switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships():
        return list(Membership.objects.filter(user=user).select_related("organization"))

    return {
        "current_org": getattr(request, "org", None),
        "current_membership": getattr(request, "membership", None),
        "my_memberships": memberships,  # callable: evaluated only by templates that show it
        "last_org_slug": request.session.get(ORG_SESSION_KEY),
    }
