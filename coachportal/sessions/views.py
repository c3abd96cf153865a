from django.shortcuts import render

from coachportal.organizations.access import org_view


@org_view()
def session_list(request, org):
    return render(request, "sessions/library.html", {"org": org})
