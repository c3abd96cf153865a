from django.shortcuts import render

from coachportal.organizations.access import org_view

from .context import dashboard_context, setup_steps, since_last_visit


@org_view()
def dashboard(request, org):
    context = {"org": org}
    if request.membership.may_manage():
        steps = setup_steps(org)
        context["setup_steps"] = steps if not all(step.done for step in steps) else []
        context.update(dashboard_context(org))
    else:
        # A coach comes for what is new among the athletes' sessions, not for the admins' counters.
        context.update(since_last_visit(org, request.membership))
    return render(request, "organizations/dashboard.html", context)
