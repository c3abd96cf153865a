from django.urls import path

from . import views

app_name = "athletes"

# "discover" is the Import from AiKYNETIX page (its name predates the page's new title).
# Mounted under /o/<org_slug>/athletes/; every view is wrapped in @org_view.
urlpatterns = [
    path("", views.athlete_list, name="list"),
    path("export.csv", views.export_csv, name="export"),
    path("coaches/", views.assign_coaches, name="assign_coaches"),
    path("new/", views.create, name="create"),
    path("from-aikynetix/", views.discover_from_provider, name="discover"),
    path("from-aikynetix/add/", views.add_from_provider, name="discover_add"),
    path("import/", views.import_upload, name="import"),
    path("import/preview/", views.import_preview, name="import_preview"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/cancel/", views.import_cancel, name="import_cancel"),
    # "<id:athlete_id>/" (name "detail") is the athlete profile, served by the library (coachportal/urls.py).
    path("<id:athlete_id>/edit/", views.edit, name="edit"),
    path("<id:athlete_id>/archive/", views.set_archived, {"archived": True}, name="archive"),
    path("<id:athlete_id>/restore/", views.set_archived, {"archived": False}, name="restore"),
    path("<id:athlete_id>/delete/", views.delete, name="delete"),
    path("<id:athlete_id>/create-in-aikynetix/", views.create_upstream, name="create_upstream"),
]
