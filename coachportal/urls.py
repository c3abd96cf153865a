from django.contrib import admin
from django.urls import include, path

from coachportal.dashboard import urls as dashboard_urls
from coachportal.health import healthz
from coachportal.organizations import urls as org_urls
from coachportal.organizations import views as org_views

# Each app's organization pages are mounted here, under /o/<org_slug>/.
org_patterns = [
    path("", include((dashboard_urls.org_urlpatterns + org_urls.org_urlpatterns, "organizations"))),
    path("athletes/", include("coachportal.athletes.urls")),
    path("sessions/", include("coachportal.sessions.urls")),
    path("sessions/<id:session_id>/notes/", include("coachportal.notes.urls")),
    path("shares/", include("coachportal.sharing.urls")),
    path("reports/", include("coachportal.reports.urls")),
    path("notifications/", include("coachportal.notifications.urls")),
    path("uploads/", include("coachportal.uploads.urls")),
    path("matches/", include("coachportal.matches.urls")),
]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("coachportal.accounts.urls")),
    path("orgs/new/", org_views.create, name="create_organization"),
    path("invitations/<str:token>/", org_views.invitation, name="invitation"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("aiontheball/", include("coachportal.matches.public_urls")),
    path("share/", include("coachportal.sharing.public_urls")),
    path("notifications/", include("coachportal.notifications.public_urls")),
    path("ops/", include("coachportal.operations.urls")),  # operator-wide, staff only
    path("admin/", admin.site.urls),
]
