from django.urls import path

from . import selection, views

app_name = "library"

# Mounted under /o/<org_slug>/ in the same "library" namespace: pages that span several sessions.
org_urlpatterns = [
    path("compare/", views.compare, name="compare"),
]

# Mounted under /o/<org_slug>/sessions/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.session_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<id:pk>/", views.export_status, name="export_status"),
    path("exports/<id:pk>/download/", views.export_download, name="export_download"),
    path("selected/assign/", selection.assign, name="bulk_assign"),
    path("selected/delete/", selection.delete, name="bulk_delete"),
    path("selected/export/", selection.export_selected, name="bulk_export"),
    path("sync/", views.sync_status, name="sync_status"),
    path("sync/refresh/", views.refresh, name="refresh"),
    path("athlete/<id:athlete_id>/", views.athlete_sessions, name="athlete"),  # now the profile (redirect)
    path("<id:pk>/", views.session_detail, name="detail"),
    path("<id:pk>/row/", views.session_row, name="row"),
    path("<id:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("<id:pk>/edit/", views.edit_session, name="edit"),
    path("<id:pk>/delete/", views.delete_session, name="delete"),
    path("<id:pk>/video/generate/", views.generate_video, name="generate_video"),
    path("<id:pk>/video/download/", views.download_video, name="download_video"),
]

# The athlete profile (/o/<org_slug>/athletes/<id>/, name athletes:detail): mounted by coachportal/urls.py
# with the athletes' own pages, since it is built from the library's data.
profile_urlpatterns = [
    path("<id:athlete_id>/", views.athlete_profile, name="detail"),
]
