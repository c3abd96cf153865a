from django.shortcuts import render

from coachportal.organizations.access import org_view


@org_view()
def upload_list(request, org):
    return render(request, "uploads/list.html", {"org": org})
