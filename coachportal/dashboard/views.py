from django.shortcuts import render

from coachportal.organizations.access import org_view

from .context import dashboard_context


@org_view()
def dashboard(request, org):
    return render(request, "organizations/dashboard.html", {"org": org, **dashboard_context(org)})
