from django.urls import path

from . import views

app_name = "reports"

# Mounted under /o/<org_slug>/reports/; every view is wrapped in @org_view.
urlpatterns = [
    path("session/<id:session_id>.pdf", views.session_report, name="session"),
    path("athlete/<id:athlete_id>.pdf", views.athlete_report, name="athlete"),
    path("athlete/<id:athlete_id>/build/", views.start_athlete_report, name="start_athlete"),
    path("comparison.pdf", views.comparison_report, name="comparison"),
    path("comparison/build/", views.start_comparison_report, name="start_comparison"),
    path("jobs/<id:pk>/", views.job, name="job"),
    path("jobs/<id:pk>/download/", views.download, name="download"),
]
