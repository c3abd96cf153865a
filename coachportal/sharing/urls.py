from django.urls import path

from . import views

app_name = "sharing"

# Mounted under /o/<org_slug>/shares/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.link_list, name="list"),
    path("session/<id:session_id>/new/", views.new_session_link, name="new_session"),
    path("athlete/<id:athlete_id>/new/", views.new_athlete_link, name="new_athlete"),
    path("comparison/new/", views.new_comparison_link, name="new_comparison"),
    path("<id:pk>/revoke/", views.revoke, name="revoke"),
]
