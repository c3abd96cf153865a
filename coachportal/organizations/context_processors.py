from .access import ORG_SESSION_KEY
from .models import Membership, ProviderCredential
from .nav import org_urls, site_urls


def organizations(request):
    """Give every page the signed-in user's memberships, for the organization switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_urls": site_urls()}

    def memberships():
        fetched = getattr(request, "memberships", None)  # organization pages: read by org_view already
        if fetched is not None:
            return fetched
        return list(Membership.objects.filter(user=user).select_related("organization"))

    org = getattr(request, "org", None)
    return {
        "site_urls": site_urls(),
        "org_urls": org_urls(org.slug) if org is not None else {},
        "current_org": org,
        "current_membership": getattr(request, "membership", None),
        "my_memberships": memberships,  # callable: evaluated only by templates that show it
        "last_org_slug": request.session.get(ORG_SESSION_KEY),
    }


def rejected_keys(request):
    """Tell owners and admins, on every page of the organization, when a provider refuses its key."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.may_manage():
        return {}

    def credentials():
        return list(
            ProviderCredential.objects.filter(
                organization=membership.organization, status=ProviderCredential.Status.REJECTED
            )
        )

    return {"rejected_credentials": credentials}
