from django.shortcuts import render

from coachportal.organizations.access import org_view


@org_view()
def athlete_list(request, org):
    return render(request, "athletes/list.html", {"org": org})
