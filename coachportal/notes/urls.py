from django.urls import path

from . import views

app_name = "notes"

# Mounted under /o/<org_slug>/sessions/<id:session_id>/notes/; every view is wrapped in @org_view.
urlpatterns = [
    path("add/", views.add, name="add"),
    path("<id:note_id>/edit/", views.edit, name="edit"),
    path("<id:note_id>/delete/", views.delete, name="delete"),
]
