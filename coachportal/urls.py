from django.contrib import admin
from django.urls import include, path

from coachportal.athletes import urls as athlete_urls
from coachportal.dashboard import urls as dashboard_urls
from coachportal.health import healthz
from coachportal.organizations import urls as org_urls
from coachportal.organizations import views as org_views
from coachportal.sessions import urls as library_urls

# Each app's organization pages are mounted here, under /o/<org_slug>/.
org_patterns = [
    path("", include((dashboard_urls.org_urlpatterns + org_urls.org_urlpatterns, "organizations"))),
    # An athlete's page is the library's profile of them; the roster's own pages follow.
    path("athletes/", include((library_urls.profile_urlpatterns + athlete_urls.urlpatterns, "athletes"))),
    # The library: /sessions/... and the pages over several sessions (/compare/), one namespace.
    path(
        "",
        include(
            (
                [*library_urls.org_urlpatterns, path("sessions/", include(library_urls.urlpatterns))],
                library_urls.app_name,
            )
        ),
    ),
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
